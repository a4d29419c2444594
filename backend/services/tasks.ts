import type { AgentService } from './agents.js';
import type { BoardService } from './boards.js';
import type { ServiceContext } from './context.js';

export interface TaskServiceDeps {
  baseUrl: string;
  agents: AgentService;
  boards: BoardService;
}

// PLACEHOLDER — being implemented (task state machine, reference §2.7).
export function createTaskService(_ctx: ServiceContext, _deps: TaskServiceDeps) {
  return {};
}
export type TaskService = ReturnType<typeof createTaskService>;
