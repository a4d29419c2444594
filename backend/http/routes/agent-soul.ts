import type { Services } from '../../compose.js';
import { requireAgent } from '../../services/actor.js';
import type { HandlerGroup } from '../handlers.js';

/** The web edition's soul routes (#16): the caller is always the token's agent. */
export function agentSoulHandlers(s: Services): HandlerGroup<'agentGetSoul' | 'agentUpdateSoul'> {
  return {
    agentGetSoul: ({ actor, params }) => s.agentSoul.read(requireAgent(actor), params.board_id, params.agent_id),
    agentUpdateSoul: ({ actor, params, body }) => s.agentSoul.write(requireAgent(actor), params.board_id, params.agent_id, body),
  };
}
