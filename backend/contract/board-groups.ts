import { z } from 'zod';
import { BoardParams, Id, InputDateTime, OkResponse, PageQuery, QueryBool, Text, Timestamp, page } from './common.js';
import { BoardMemoryCreate, BoardMemoryRead } from './memory.js';
import { BOARD, defineRoute } from './route.js';

/*
 * Board groups and their shared memory, with the web edition's paths and shapes (§1.10, §1.18,
 * `app/api/board_groups.py`, `app/api/board_group_memory.py`). The user manages groups; a board's
 * agents read and write their group's memory through the board (`/boards/{board_id}/group-memory`),
 * so the board scope comes from the token as for every board route.
 */

export const BoardGroupRead = z.object({
  id: Id,
  organization_id: Id,
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type BoardGroupRead = z.infer<typeof BoardGroupRead>;

const GroupSlug = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case words joined by hyphens' });

export const BoardGroupCreate = z.strictObject({
  name: Text(200),
  slug: GroupSlug.optional(),
  description: z.string().trim().max(10_000).nullable().optional(),
});
export type BoardGroupCreate = z.infer<typeof BoardGroupCreate>;

export const BoardGroupUpdate = z.strictObject({
  name: Text(200).optional(),
  slug: GroupSlug.optional(),
  description: z.string().trim().max(10_000).nullable().optional(),
});
export type BoardGroupUpdate = z.infer<typeof BoardGroupUpdate>;

export const BoardGroupParams = z.object({ group_id: Id });

/** Board memory's shape, keyed by the group instead of the board. */
export const BoardGroupMemoryRead = BoardMemoryRead.omit({ board_id: true }).extend({ board_group_id: Id });
export type BoardGroupMemoryRead = z.infer<typeof BoardGroupMemoryRead>;

/** The same body as board memory (an agent's `source` is only ever its own name). */
export const BoardGroupMemoryCreate = BoardMemoryCreate;
export type BoardGroupMemoryCreate = z.infer<typeof BoardGroupMemoryCreate>;

export const GroupMemoryQuery = z.object({ is_chat: QueryBool.optional() });

const groupMemoryHints = {
  requiredActor: 'board lead or worker',
  prerequisites: [
    'An agent token in the X-Agent-Token header',
    'Your board must be in a board group (board_group_id in GET /api/v1/agent/boards/{board_id})',
  ],
} as const;

export const BOARD_GROUP_ROUTES = {
  listBoardGroups: defineRoute({
    method: 'get',
    path: '/api/v1/board-groups',
    operationId: 'list_board_groups',
    summary: 'Board groups, by name',
    tags: ['board-groups'],
    auth: 'user',
    query: PageQuery,
    response: page(BoardGroupRead),
  }),
  createBoardGroup: defineRoute({
    method: 'post',
    path: '/api/v1/board-groups',
    operationId: 'create_board_group',
    summary: 'Create a board group',
    tags: ['board-groups'],
    auth: 'user',
    body: BoardGroupCreate,
    response: BoardGroupRead,
  }),
  getBoardGroup: defineRoute({
    method: 'get',
    path: '/api/v1/board-groups/{group_id}',
    operationId: 'get_board_group',
    summary: 'One board group',
    tags: ['board-groups'],
    auth: 'user',
    params: BoardGroupParams,
    response: BoardGroupRead,
  }),
  updateBoardGroup: defineRoute({
    method: 'patch',
    path: '/api/v1/board-groups/{group_id}',
    operationId: 'update_board_group',
    summary: 'Rename or describe a board group',
    tags: ['board-groups'],
    auth: 'user',
    params: BoardGroupParams,
    body: BoardGroupUpdate,
    response: BoardGroupRead,
  }),
  deleteBoardGroup: defineRoute({
    method: 'delete',
    path: '/api/v1/board-groups/{group_id}',
    operationId: 'delete_board_group',
    summary: 'Delete a board group (its boards stay, ungrouped; its memory goes)',
    tags: ['board-groups'],
    auth: 'user',
    params: BoardGroupParams,
    response: OkResponse,
  }),
  listGroupMemory: defineRoute({
    method: 'get',
    path: '/api/v1/board-groups/{group_id}/memory',
    operationId: 'list_board_group_memory',
    summary: 'Group chat and notes, newest first',
    tags: ['board-group-memory'],
    auth: 'user',
    params: BoardGroupParams,
    query: PageQuery.extend(GroupMemoryQuery.shape),
    response: page(BoardGroupMemoryRead),
  }),
  createGroupMemory: defineRoute({
    method: 'post',
    path: '/api/v1/board-groups/{group_id}/memory',
    operationId: 'create_board_group_memory',
    summary: 'Post to group chat (tag "chat") or add a group note',
    tags: ['board-group-memory'],
    auth: 'user',
    params: BoardGroupParams,
    body: BoardGroupMemoryCreate,
    response: BoardGroupMemoryRead,
  }),
  listBoardGroupMemory: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/group-memory',
    operationId: 'list_board_group_memory_for_board',
    summary: "Shared memory of the board's group, newest first (empty when the board has no group)",
    tags: BOARD,
    auth: 'user_or_agent',
    params: BoardParams,
    query: PageQuery.extend(GroupMemoryQuery.shape),
    response: page(BoardGroupMemoryRead),
    llm: {
      intent: 'Read the shared memory of the boards grouped with yours.',
      whenToUse: [
        'On heartbeat when your board is in a group: pull group notes for cross-board context.',
        'Before coordinating with another board of the group.',
      ],
      sideEffects: ['None: a read.'],
      routingPolicy: ['Use for cross-board context; use /api/v1/agent/boards/{board_id}/memory for your own board.'],
      ...groupMemoryHints,
    },
  }),
  createBoardGroupMemory: defineRoute({
    method: 'post',
    path: '/api/v1/boards/{board_id}/group-memory',
    operationId: 'create_board_group_memory_for_board',
    summary: "Write to the board's group memory (422 when the board has no group)",
    tags: BOARD,
    auth: 'user_or_agent',
    params: BoardParams,
    body: BoardGroupMemoryCreate,
    response: BoardGroupMemoryRead,
    llm: {
      intent: 'Share a note or a message with every board of your group.',
      whenToUse: ['A decision or finding other boards of the group need to know.'],
      whenNotToUse: ['Board-local notes: use your board memory.'],
      sideEffects: ['Stores the entry; it is visible to every board of the group.'],
      negativeGuidance: ['Do not set source to anyone else: you always write as yourself (403).'],
      ...groupMemoryHints,
    },
  }),
  streamBoardGroupMemory: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/group-memory/stream',
    operationId: 'stream_board_group_memory_for_board',
    summary: "Server-sent events: each new entry of the board's group memory as `event: memory`, `data: {memory}`",
    tags: BOARD,
    auth: 'user_or_agent',
    params: BoardParams,
    query: z.object({ since: InputDateTime.optional(), is_chat: QueryBool.optional() }),
    response: z.string(),
    llm: {
      intent: 'Follow the group memory live.',
      whenToUse: ['Long-running coordination that must react to new group messages.'],
      whenNotToUse: ['A heartbeat: read the list instead.'],
      sideEffects: ['None: a read.'],
      ...groupMemoryHints,
    },
  }),
} as const;
