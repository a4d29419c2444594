import { requireAgent } from '../../services/actor.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';
import { approvalHandlers, type ApprovalRoutes } from './approvals.js';

type TaskOnlyRoutes =
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
  | 'agentCreateTaskComment';

export type TaskRoutes = TaskOnlyRoutes | ApprovalRoutes;

/** The web edition caps the snapshot's approvals and chat at the latest 200 each. */
const SNAPSHOT_LIMIT = 200;

export function taskHandlers(s: Services): HandlerGroup<TaskRoutes> {
  type H = HandlerGroup<TaskOnlyRoutes>;
  const listTasks: H['listTasks'] = ({ actor, params, query }) => s.tasks.list(s.boards.accessible(actor, params.board_id).id, query);
  const getTask: H['getTask'] = ({ actor, params }) => s.tasks.get(s.boards.accessible(actor, params.board_id).id, params.task_id);
  const updateTask: H['updateTask'] = ({ actor, params, body }) =>
    s.tasks.update(s.boards.accessible(actor, params.board_id), params.task_id, actor, body);
  const listComments: H['listTaskComments'] = ({ actor, params, query }) =>
    s.tasks.listComments(s.boards.accessible(actor, params.board_id).id, params.task_id, query);
  const createComment: H['createTaskComment'] = ({ actor, params, body }) =>
    s.tasks.createComment(s.boards.accessible(actor, params.board_id), params.task_id, actor, body.message);

  return {
    boardSnapshot: ({ actor, params }) => {
      const board = s.boards.accessible(actor, params.board_id);
      const page = { limit: SNAPSHOT_LIMIT, offset: 0 };
      return {
        board: s.boards.get(board.id),
        tasks: s.tasks.boardTasks(board.id),
        agents: s.agents.list({ ...page, board_id: board.id }).items,
        approvals: s.approvals.list(board.id, page).items,
        // Newest 200, shown oldest first like a chat transcript.
        chat_messages: s.memory.list(board.id, { ...page, is_chat: true }).items.reverse(),
        pending_approvals_count: s.approvals.pendingCount(board.id),
      };
    },
    listTasks,
    createTask: ({ params, body }) => s.tasks.create(s.boards.getRow(params.board_id), body),
    getTask,
    updateTask,
    deleteTask: ({ params }) => {
      s.tasks.delete(s.boards.getRow(params.board_id).id, params.task_id);
      return { ok: true };
    },
    listTaskComments: listComments,
    createTaskComment: createComment,

    agentListTasks: (input) => listTasks(input),
    agentCreateTask: ({ actor, params, body }) =>
      s.tasks.createByLead(requireAgent(actor), s.boards.accessible(actor, params.board_id), body),
    agentUpdateTask: (input) => updateTask(input),
    agentDeleteTask: ({ actor, params }) => {
      s.tasks.deleteByLead(requireAgent(actor), s.boards.accessible(actor, params.board_id), params.task_id);
      return { ok: true };
    },
    agentListTaskComments: (input) => listComments(input),
    agentCreateTaskComment: (input) => createComment(input),
    ...approvalHandlers(s),
  };
}
