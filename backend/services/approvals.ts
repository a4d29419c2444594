import type { AgentService } from './agents.js';
import type { BoardService } from './boards.js';
import type { ServiceContext } from './context.js';
import type { TaskService } from './tasks.js';

export interface ApprovalServiceDeps {
  baseUrl: string;
  agents: AgentService;
  boards: BoardService;
  tasks: TaskService;
}

// PLACEHOLDER — being implemented.
export function createApprovalService(_ctx: ServiceContext, _deps: ApprovalServiceDeps) {
  return {};
}
export type ApprovalService = ReturnType<typeof createApprovalService>;
