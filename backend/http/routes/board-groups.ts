import type { Response } from 'express';
import { ROUTES } from '../../contract/routes.js';
import type { RouteDef } from '../../contract/route.js';
import type { Services } from '../../compose.js';
import type { ActorResolver } from '../auth.js';
import type { HandlerGroup } from '../handlers.js';
import { openEventStream } from '../event-stream.js';
import { parsePart } from '../mount.js';

type BoardGroupRoutes =
  | 'listBoardGroups'
  | 'createBoardGroup'
  | 'getBoardGroup'
  | 'updateBoardGroup'
  | 'deleteBoardGroup'
  | 'listGroupMemory'
  | 'createGroupMemory'
  | 'listBoardGroupMemory'
  | 'createBoardGroupMemory';

/** Board groups and group memory (#16). */
export function boardGroupHandlers(s: Services): HandlerGroup<BoardGroupRoutes> {
  return {
    listBoardGroups: ({ query }) => s.boardGroups.list(query),
    createBoardGroup: ({ body }) => s.boardGroups.create(body),
    getBoardGroup: ({ params }) => s.boardGroups.get(params.group_id),
    updateBoardGroup: ({ params, body }) => s.boardGroups.update(params.group_id, body),
    deleteBoardGroup: ({ params }) => {
      s.boardGroups.delete(params.group_id);
      return { ok: true };
    },
    listGroupMemory: ({ params, query }) => s.boardGroups.listMemory(params.group_id, query),
    createGroupMemory: ({ actor, params, body }) => s.boardGroups.createMemory(params.group_id, actor, body),
    // The board comes from the path, checked against the caller (an agent only reaches its own board).
    listBoardGroupMemory: ({ actor, params, query }) => s.boardGroups.listForBoard(s.boards.accessible(actor, params.board_id), query),
    createBoardGroupMemory: ({ actor, params, body }) =>
      s.boardGroups.createForBoard(s.boards.accessible(actor, params.board_id), actor, body),
  };
}

/**
 * `GET /api/v1/boards/{board_id}/group-memory/stream`: server-sent events as the web edition sends
 * them (`event: memory`, `data: {"memory": …}`), entries after `?since` first (default: now; no
 * offset is UTC), then each new one as it is written. A board without a group gets pings only.
 */
export function streamBoardGroupMemory(s: Services, resolveActor: ActorResolver) {
  const route = ROUTES.streamBoardGroupMemory as RouteDef;
  return (req: Parameters<ActorResolver>[0], res: Response) => {
    const actor = resolveActor(req, route);
    const { board_id } = parsePart(route.params, req.params, 'path') as { board_id: string };
    const query = parsePart(route.query, req.query, 'query') as { since?: string; is_chat?: boolean };
    const board = s.boards.accessible(actor, board_id);
    const groupId = board.boardGroupId;
    const since = query.since ? new Date(query.since) : new Date();
    openEventStream(res, () =>
      groupId
        ? s.boardGroups.follow(groupId, since, query.is_chat, (memory) =>
            res.write(`event: memory\ndata: ${JSON.stringify({ memory })}\n\n`),
          )
        : () => undefined,
    );
  };
}
