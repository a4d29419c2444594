import { AppError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { HandlerGroup } from '../handlers.js';

export type TaskRoutes =
  | 'boardSnapshot'
  | 'listTasks'
  | 'createTask'
  | 'getTask'
  | 'updateTask'
  | 'deleteTask'
  | 'listTaskComments'
  | 'createTaskComment'
  | 'agentListTasks'
  | 'agentCreateTask'
  | 'agentUpdateTask'
  | 'agentDeleteTask'
  | 'agentListTaskComments'
  | 'agentCreateTaskComment'
  | 'listApprovals'
  | 'createApproval'
  | 'resolveApproval'
  | 'agentListApprovals'
  | 'agentCreateApproval';

// PLACEHOLDER — being implemented.
export function taskHandlers(_s: Services): HandlerGroup<TaskRoutes> {
  const todo = () => {
    throw new AppError('internal', 'not implemented yet');
  };
  return {
    boardSnapshot: todo,
    listTasks: todo,
    createTask: todo,
    getTask: todo,
    updateTask: todo,
    deleteTask: todo,
    listTaskComments: todo,
    createTaskComment: todo,
    agentListTasks: todo,
    agentCreateTask: todo,
    agentUpdateTask: todo,
    agentDeleteTask: todo,
    agentListTaskComments: todo,
    agentCreateTaskComment: todo,
    listApprovals: todo,
    createApproval: todo,
    resolveApproval: todo,
    agentListApprovals: todo,
    agentCreateApproval: todo,
  };
}
