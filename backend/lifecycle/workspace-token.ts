import type { WorkspaceTokenState } from '../contract/templates.js';
import type { AgentRow } from '../db/schema.js';
import type { GatewayConnection } from '../gateway/connection.js';
import { GatewayError } from '../gateway/errors.js';
import type { AgentRecords as AgentService } from '../core/ports.js';
import { tokenFromAgentsFile } from '../templates/render.js';
import { gatewayAgentKey, readWorkspaceFile } from './gateway-agents.js';

/** What AGENTS.md holds and whether its token is the agent's (compared by hash; the token never leaves here). */
export async function workspaceToken(agents: AgentService, conn: GatewayConnection, agent: AgentRow) {
  const read = await readWorkspaceFile(conn, gatewayAgentKey(agent), 'AGENTS.md');
  const token = read.state === 'present' ? tokenFromAgentsFile(read.content) : null;
  const state: WorkspaceTokenState = token === null ? 'missing' : agents.tokenMatches(agent, token) ? 'match' : 'mismatch';
  return { read, token, state };
}

/** A failure of one agent's sync or drift read, as its entry says it (the caller redacts tokens). */
export function errorText(err: unknown): string {
  if (err instanceof GatewayError) return `${err.explanation} (${err.detail})`;
  return err instanceof Error ? err.message : String(err);
}
