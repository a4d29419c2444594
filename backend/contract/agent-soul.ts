import { z } from 'zod';
import { OkResponse } from './common.js';
import { AgentBoardAgentParams } from './agents.js';
import { BOARD, LEAD, defineRoute } from './route.js';

/** The web edition's `SoulUpdateRequest`. */
export const SoulUpdate = z.strictObject({
  content: z.string().trim().min(1, { message: 'must not be blank' }).max(60_000),
  source_url: z.string().trim().max(2000).nullable().optional(),
  reason: z.string().trim().max(2000).nullable().optional(),
});
export type SoulUpdate = z.infer<typeof SoulUpdate>;

/** An agent's SOUL.md, with the web edition's paths and answers (`app/api/agent.py` get/update_agent_soul). */
export const AGENT_SOUL_ROUTES = {
  agentGetSoul: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/agents/{agent_id}/soul',
    operationId: 'agent_get_soul',
    summary: "An agent's SOUL.md, as its workspace on the gateway holds it (a JSON string)",
    tags: BOARD,
    auth: 'agent',
    params: AgentBoardAgentParams,
    response: z.string(),
    errors: { '502': 'The gateway could not be reached or refused the read' },
    llm: {
      intent: 'Read the SOUL.md of yourself or (lead) of an agent of your board.',
      whenToUse: ['Before rewriting a worker’s soul; to check your own.'],
      requiredActor: 'board lead (any agent of its board) or the agent itself',
      sideEffects: ['None: a read.'],
    },
  }),
  agentUpdateSoul: defineRoute({
    method: 'put',
    path: '/api/v1/agent/boards/{board_id}/agents/{agent_id}/soul',
    operationId: 'agent_update_soul',
    summary: "Board lead rewrites a worker's SOUL.md (kept as its soul_template, written to the workspace)",
    tags: LEAD,
    auth: 'agent',
    params: AgentBoardAgentParams,
    body: SoulUpdate,
    response: OkResponse,
    errors: { '502': 'The gateway could not be reached or refused the write (the soul_template is saved)' },
    llm: {
      intent: 'Tune how a worker of your board behaves.',
      whenToUse: ['A worker needs a lasting change of tone, focus or rules.'],
      whenNotToUse: ['One-off instructions: comment on the task or nudge the agent.'],
      requiredActor: 'board lead',
      sideEffects: ['Saves soul_template; writes SOUL.md on the gateway; an agent.soul.updated activity entry.'],
    },
  }),
} as const;
