import { requireAgent } from '../../services/actor.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

export type ApprovalRoutes = 'listApprovals' | 'createApproval' | 'resolveApproval' | 'agentListApprovals' | 'agentCreateApproval';

export function approvalHandlers(s: Services): HandlerGroup<ApprovalRoutes> {
  return {
    listApprovals: ({ actor, params, query }) => s.approvals.list(s.boards.accessible(actor, params.board_id).id, query),
    createApproval: ({ actor, params, body }) => s.approvals.create(s.boards.accessible(actor, params.board_id), actor, body),
    resolveApproval: ({ params, body }) => s.approvals.resolve(s.boards.getRow(params.board_id), params.approval_id, body.status),
    agentListApprovals: ({ actor, params, query }) => {
      requireAgent(actor);
      return s.approvals.list(s.boards.accessible(actor, params.board_id).id, query);
    },
    agentCreateApproval: ({ actor, params, body }) => {
      requireAgent(actor);
      return s.approvals.create(s.boards.accessible(actor, params.board_id), actor, body);
    },
  };
}
