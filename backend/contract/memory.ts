import { z } from 'zod';
import { BoardParams, Id, PageQuery, QueryBool, Text, Timestamp, page } from './common.js';
import { BOARD, defineRoute } from './route.js';

export const BoardMemoryRead = z.object({
  id: Id,
  board_id: Id,
  content: z.string(),
  tags: z.array(z.string()).nullable(),
  /** The writer's name; for an agent always its own name (from its token, never from the request). */
  source: z.string().nullable(),
  /** Who wrote it, from the credential: the local user or an agent (`agent_id`, null once that agent is deleted). */
  author: z.enum(['user', 'agent']),
  agent_id: Id.nullable(),
  is_chat: z.boolean(),
  created_at: Timestamp,
});
export type BoardMemoryRead = z.infer<typeof BoardMemoryRead>;

export const BoardMemoryCreate = z.strictObject({
  content: Text(50_000),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).nullable().optional(),
  /** The user may label a note; an agent may only leave it out or send its own name (403 otherwise). */
  source: z.string().trim().max(200).nullable().optional(),
});
export type BoardMemoryCreate = z.infer<typeof BoardMemoryCreate>;

export const ActivityEventRead = z.object({
  id: Id,
  event_type: z.string(),
  message: z.string().nullable(),
  agent_id: Id.nullable(),
  task_id: Id.nullable(),
  board_id: Id.nullable(),
  created_at: Timestamp,
});
export type ActivityEventRead = z.infer<typeof ActivityEventRead>;

export const ActivityListQuery = z.object({
  board_id: Id.optional(),
  agent_id: Id.optional(),
  task_id: Id.optional(),
  event_type: z.string().trim().min(1).max(100).optional(),
});

export const BoardMemoryQuery = z.object({ is_chat: QueryBool.optional() });

/** Board chat and notes, and the activity feed. */
export const MEMORY_ROUTES = {
  listBoardMemory: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/memory',
    operationId: 'list_board_memory',
    summary: 'Board chat and notes, newest first',
    tags: ['memory'],
    auth: 'user_or_agent',
    params: BoardParams,
    query: PageQuery.extend(BoardMemoryQuery.shape),
    response: page(BoardMemoryRead),
  }),
  createBoardMemory: defineRoute({
    method: 'post',
    path: '/api/v1/boards/{board_id}/memory',
    operationId: 'create_board_memory',
    summary: 'Post to board chat (tag "chat") or add a note',
    tags: ['memory'],
    auth: 'user_or_agent',
    params: BoardParams,
    body: BoardMemoryCreate,
    response: BoardMemoryRead,
  }),
  agentListMemory: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/memory',
    operationId: 'agent_list_memory',
    summary: 'Board chat (is_chat=true) and notes, newest first',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    query: PageQuery.extend(BoardMemoryQuery.shape),
    response: page(BoardMemoryRead),
    llm: {
      intent: 'Read board chat and shared notes.',
      whenToUse: 'On heartbeat, to see new messages.',
      requiredActor: 'board lead or worker',
    },
  }),
  agentCreateMemory: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/memory',
    operationId: 'agent_create_memory',
    summary: 'Post to board chat (tags ["chat"]) or add a note',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    body: BoardMemoryCreate,
    response: BoardMemoryRead,
    llm: {
      intent: 'Talk to the board or keep a durable note.',
      whenToUse: 'Replies to BOARD CHAT messages: tags ["chat"].',
      whenNotToUse: 'Do not set source to anyone else: you always write as yourself (403). /pause and /resume are for the board lead only.',
      requiredActor: 'board lead or worker',
      sideEffects: 'Chat reaches the lead and @mentioned agents; /pause or /resume from the lead reaches every agent of the board.',
    },
  }),
  listActivity: defineRoute({
    method: 'get',
    path: '/api/v1/activity',
    operationId: 'list_activity',
    summary: 'Activity feed, newest first (agents see their own events)',
    tags: ['activity'],
    auth: 'user_or_agent',
    query: PageQuery.extend(ActivityListQuery.shape),
    response: page(ActivityEventRead),
  }),
} as const;
