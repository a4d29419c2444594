import { z } from 'zod';
import { Id, QueryBool, Text, Timestamp } from './common.js';

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
  target_date: z.iso.datetime({ offset: true }).nullable().optional(),
  goal_confirmed: z.boolean().default(false),
  require_approval_for_done: boardRules.require_approval_for_done.default(true),
  require_review_before_done: boardRules.require_review_before_done.default(false),
  comment_required_for_review: boardRules.comment_required_for_review.default(false),
  block_status_changes_with_pending_approval: boardRules.block_status_changes_with_pending_approval.default(false),
  only_lead_can_change_status: boardRules.only_lead_can_change_status.default(false),
  max_agents: boardRules.max_agents.default(1),
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
  target_date: z.iso.datetime({ offset: true }).nullable().optional(),
  goal_confirmed: z.boolean().optional(),
  require_approval_for_done: z.boolean().optional(),
  require_review_before_done: z.boolean().optional(),
  comment_required_for_review: z.boolean().optional(),
  block_status_changes_with_pending_approval: z.boolean().optional(),
  only_lead_can_change_status: z.boolean().optional(),
  max_agents: boardRules.max_agents.optional(),
});
export type BoardUpdate = z.infer<typeof BoardUpdate>;

export const BoardParams = z.object({ board_id: Id });
export const BoardListQuery = z.object({ gateway_id: Id.optional() });
export const BoardMemoryQuery = z.object({ is_chat: QueryBool.optional() });
