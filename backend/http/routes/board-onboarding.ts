import type { Services } from '../../compose.js';
import { requireAgent } from '../../services/actor.js';
import type { HandlerGroup } from '../handlers.js';

/** Board onboarding (#16): the user reads the session, the gateway main agent writes it. */
export function boardOnboardingHandlers(s: Services): HandlerGroup<'getBoardOnboarding' | 'agentUpdateOnboarding'> {
  return {
    getBoardOnboarding: ({ params }) => s.onboarding.get(s.boards.getRow(params.board_id).id),
    agentUpdateOnboarding: ({ actor, params, body }) => {
      const agent = requireAgent(actor);
      return s.onboarding.agentUpdate(s.boards.accessible(actor, params.board_id), agent, body);
    },
  };
}
