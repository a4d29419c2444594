import { z } from 'zod';
import { ApprovalStatus, Id, Text, Timestamp } from './common.js';

export const ApprovalRead = z.object({
  id: Id,
  board_id: Id,
  task_id: Id.nullable(),
  task_ids: z.array(Id),
  task_titles: z.array(z.string()),
  agent_id: Id.nullable(),
  action_type: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  confidence: z.number(),
  rubric_scores: z.record(z.string(), z.number().int()).nullable(),
  status: ApprovalStatus,
  created_at: Timestamp,
  resolved_at: Timestamp.nullable(),
});
export type ApprovalRead = z.infer<typeof ApprovalRead>;

export const ApprovalCreate = z.strictObject({
  action_type: Text(200),
  confidence: z.number().min(0).max(100),
  task_id: Id.nullable().optional(),
  task_ids: z.array(Id).max(200).default([]),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  rubric_scores: z.record(z.string().max(100), z.number().int()).nullable().optional(),
  status: ApprovalStatus.default('pending'),
  agent_id: Id.nullable().optional(),
  lead_reasoning: z.string().max(20_000).nullable().optional(),
});
export type ApprovalCreate = z.infer<typeof ApprovalCreate>;

export const ApprovalUpdate = z.strictObject({ status: ApprovalStatus });

export const ApprovalParams = z.object({ board_id: Id, approval_id: Id });
export const ApprovalListQuery = z.object({ status: ApprovalStatus.optional() });
