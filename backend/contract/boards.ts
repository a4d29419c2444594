import { z } from 'zod';
import { AgentRead } from './agents.js';
import { ApprovalRead } from './approvals.js';
import { BoardParams, Id, InputDateTime, PageQuery, Text, Timestamp, page } from './common.js';
import { TeardownQuery, TeardownResult } from './gateways.js';
import { BoardMemoryRead } from './memory.js';
import { ALL, BOARD, defineRoute } from './route.js';
import { TaskRead } from './tasks.js';

export { BoardParams } from './common.js';
export { BoardMemoryQuery } from './memory.js';

export const BoardType = z.enum(['goal', 'general']);

const boardRules = {
  require_approval_for_done: z.boolean(),
  require_review_before_done: z.boolean(),
  comment_required_for_review: z.boolean(),
  block_status_changes_with_pending_approval: z.boolean(),
  only_lead_can_change_status: z.boolean(),
  max_agents: z.number().int().min(0).max(1000),
};

export const BoardRead = z.object({
  id: Id,
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  gateway_id: Id.nullable(),
  board_type: BoardType,
  objective: z.string().nullable(),
  success_metrics: z.record(z.string(), z.unknown()).nullable(),
  target_date: Timestamp.nullable(),
  goal_confirmed: z.boolean(),
  goal_source: z.string().nullable(),
  ...boardRules,
  /** The one local organization (the web edition is multi-org; a desktop app has one owner). */
  organization_id: Id,
  board_group_id: Id.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type BoardRead = z.infer<typeof BoardRead>;

const Slug = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case words joined by hyphens' });

export const BoardCreate = z.strictObject({
  name: Text(200),
  slug: Slug.optional(),
  description: Text(10_000),
  gateway_id: Id,
  board_type: BoardType.default('goal'),
  objective: z.string().trim().max(10_000).nullable().optional(),
  success_metrics: z.record(z.string(), z.unknown()).nullable().optional(),
  target_date: InputDateTime.nullable().optional(),
  goal_confirmed: z.boolean().default(false),
  require_approval_for_done: boardRules.require_approval_for_done.default(true),
  require_review_before_done: boardRules.require_review_before_done.default(false),
  comment_required_for_review: boardRules.comment_required_for_review.default(false),
  block_status_changes_with_pending_approval: boardRules.block_status_changes_with_pending_approval.default(false),
  only_lead_can_change_status: boardRules.only_lead_can_change_status.default(false),
  max_agents: boardRules.max_agents.default(1),
  board_group_id: Id.nullable().optional(),
  /** Create and provision the board's lead agent with the board (default). */
  create_lead: z.boolean().default(true),
  /** The lead's name; default "<board name> Lead" (agent names are unique per gateway). */
  lead_name: z.string().trim().min(1).max(100).optional(),
});
export type BoardCreate = z.infer<typeof BoardCreate>;

export const BoardUpdate = z.strictObject({
  name: Text(200).optional(),
  slug: Slug.optional(),
  description: Text(10_000).optional(),
  gateway_id: Id.optional(),
  board_type: BoardType.optional(),
  objective: z.string().trim().max(10_000).nullable().optional(),
  success_metrics: z.record(z.string(), z.unknown()).nullable().optional(),
  target_date: InputDateTime.nullable().optional(),
  goal_confirmed: z.boolean().optional(),
  require_approval_for_done: z.boolean().optional(),
  require_review_before_done: z.boolean().optional(),
  comment_required_for_review: z.boolean().optional(),
  block_status_changes_with_pending_approval: z.boolean().optional(),
  only_lead_can_change_status: z.boolean().optional(),
  max_agents: boardRules.max_agents.optional(),
  board_group_id: Id.nullable().optional(),
});
export type BoardUpdate = z.infer<typeof BoardUpdate>;

export const BoardListQuery = z.object({ gateway_id: Id.optional(), board_group_id: Id.optional() });

const BoardSnapshot = z.object({
  board: BoardRead,
  tasks: z.array(TaskRead),
  agents: z.array(AgentRead),
  approvals: z.array(ApprovalRead),
  chat_messages: z.array(BoardMemoryRead),
  pending_approvals_count: z.number().int(),
});

/** Boards: the user API and what agents read of their boards. */
export const BOARD_ROUTES = {
  listBoards: defineRoute({
    method: 'get',
    path: '/api/v1/boards',
    operationId: 'list_boards',
    summary: 'List boards',
    tags: ['boards'],
    auth: 'user',
    query: PageQuery.extend(BoardListQuery.shape),
    response: page(BoardRead),
  }),
  createBoard: defineRoute({
    method: 'post',
    path: '/api/v1/boards',
    operationId: 'create_board',
    summary: 'Create a board on a gateway',
    tags: ['boards'],
    auth: 'user',
    body: BoardCreate,
    response: BoardRead,
  }),
  getBoard: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}',
    operationId: 'get_board',
    summary: 'Get a board',
    tags: ['boards'],
    auth: 'user',
    params: BoardParams,
    response: BoardRead,
  }),
  updateBoard: defineRoute({
    method: 'patch',
    path: '/api/v1/boards/{board_id}',
    operationId: 'update_board',
    summary: 'Update a board and its rules',
    tags: ['boards'],
    auth: 'user',
    params: BoardParams,
    body: BoardUpdate,
    response: BoardRead,
  }),
  deleteBoard: defineRoute({
    method: 'delete',
    path: '/api/v1/boards/{board_id}',
    operationId: 'delete_board',
    summary: 'Delete a board with its tasks, approvals and chat; its agents on the gateway first (409 if unreachable, unless ?force=true)',
    tags: ['boards'],
    auth: 'user',
    params: BoardParams,
    query: TeardownQuery,
    response: TeardownResult,
  }),
  boardSnapshot: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/snapshot',
    operationId: 'board_snapshot',
    summary: 'Board, tasks, agents, approvals and chat in one read',
    tags: ['boards', ...BOARD],
    auth: 'user_or_agent',
    params: BoardParams,
    response: BoardSnapshot,
  }),
  agentListBoards: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards',
    operationId: 'agent_list_boards',
    summary: 'Boards visible to the calling agent',
    tags: ALL,
    auth: 'agent',
    query: PageQuery,
    response: page(BoardRead),
    llm: {
      intent: 'Find the boards you work on.',
      whenToUse: 'Board agents: to read your own board. The gateway main agent: to list the boards of its gateway.',
      requiredActor: 'any agent',
    },
  }),
  agentGetBoard: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}',
    operationId: 'agent_get_board',
    summary: 'Read a board (rules, objective)',
    tags: ALL,
    auth: 'agent',
    params: BoardParams,
    response: BoardRead,
    llm: {
      intent: 'Read the board’s objective and rules.',
      whenToUse: 'Before planning or moving tasks.',
      requiredActor: 'agent of this board, or the gateway main agent',
    },
  }),
} as const;
