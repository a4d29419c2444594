import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';
import { requireAgent } from '../../services/actor.js';

export function boardHandlers(
  s: Services,
): HandlerGroup<'listBoards' | 'createBoard' | 'getBoard' | 'updateBoard' | 'deleteBoard' | 'agentListBoards' | 'agentGetBoard'> {
  return {
    listBoards: ({ query }) => s.boards.list(query),
    createBoard: async ({ body }) => {
      const board = s.boards.create(body);
      if (body.create_lead) {
        const lead = s.agents.create({ name: body.lead_name ?? `${board.name} Lead`, board_id: board.id, is_board_lead: true });
        await s.provisioner.tryProvision(lead.id, { action: 'provision', wake: true });
      }
      return board;
    },
    getBoard: ({ params }) => s.boards.get(params.board_id),
    updateBoard: ({ params, body }) => s.boards.update(params.board_id, body),
    deleteBoard: async ({ params, query }) => ({ ok: true, agents: await s.teardown.deleteBoard(params.board_id, query.force ?? false) }),
    agentListBoards: ({ actor, query }) => s.boards.listForAgent(requireAgent(actor), query),
    agentGetBoard: ({ actor, params }) => s.boards.get(s.boards.accessible(actor, params.board_id).id),
  };
}
