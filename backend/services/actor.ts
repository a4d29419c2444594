import type { AgentRow } from '../db/schema.js';

/** Who is calling: the local user, an agent (by its token), or nobody (open routes). */
export type Actor = { kind: 'user' } | { kind: 'agent'; agent: AgentRow } | { kind: 'anonymous' };

export const isAgent = (actor: Actor): actor is { kind: 'agent'; agent: AgentRow } => actor.kind === 'agent';

export function requireAgent(actor: Actor): AgentRow {
  if (actor.kind !== 'agent') throw new Error('route declared agent auth but no agent was resolved');
  return actor.agent;
}
