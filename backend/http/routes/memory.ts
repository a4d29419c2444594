import { requireAgent } from '../../services/actor.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

type MemoryRoutes =
  | 'listBoardMemory'
  | 'createBoardMemory'
  | 'agentListMemory'
  | 'agentCreateMemory'
  | 'listActivity'
  | 'listTags'
  | 'createTag'
  | 'deleteTag'
  | 'agentListTags';

export function memoryHandlers(s: Services): HandlerGroup<MemoryRoutes> {
  const listMemory = ({ actor, params, query }: Parameters<HandlerGroup<'listBoardMemory'>['listBoardMemory']>[0]) =>
    s.memory.list(s.boards.accessible(actor, params.board_id).id, query);
  const createMemory = ({ actor, params, body }: Parameters<HandlerGroup<'createBoardMemory'>['createBoardMemory']>[0]) =>
    s.memory.create(s.boards.accessible(actor, params.board_id), actor, body);
  return {
    listBoardMemory: listMemory,
    createBoardMemory: createMemory,
    agentListMemory: (input) => listMemory(input),
    agentCreateMemory: (input) => createMemory(input),

    listActivity: ({ actor, query }) => s.activity.list(query, actor.kind === 'agent' ? actor.agent.id : undefined),
    listTags: ({ query }) => s.tags.list(query),
    createTag: ({ body }) => s.tags.create(body),
    deleteTag: ({ params }) => {
      s.tags.delete(params.tag_id);
      return { ok: true };
    },
    agentListTags: ({ actor, params }) => {
      s.boards.accessible(actor, params.board_id);
      requireAgent(actor);
      return s.tags.refs();
    },
  };
}
