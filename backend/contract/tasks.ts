import { z } from 'zod';
import { Id, QueryBool, Text, TaskStatus, Timestamp } from './common.js';

export const Priority = z.string().trim().min(1).max(32);

export const TagRef = z.object({ id: Id, name: z.string(), slug: z.string(), color: z.string() });

export const TaskRead = z.object({
  id: Id,
  board_id: Id,
  title: z.string(),
  description: z.string().nullable(),
  status: TaskStatus,
  priority: z.string(),
  due_at: Timestamp.nullable(),
  in_progress_at: Timestamp.nullable(),
  previous_in_progress_at: Timestamp.nullable(),
  created_by_user_id: z.string().nullable(),
  assigned_agent_id: Id.nullable(),
  auto_created: z.boolean(),
  auto_reason: z.string().nullable(),
  depends_on_task_ids: z.array(Id),
  blocked_by_task_ids: z.array(Id),
  is_blocked: z.boolean(),
  tag_ids: z.array(Id),
  tags: z.array(TagRef),
  custom_field_values: z.record(z.string(), z.unknown()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TaskRead = z.infer<typeof TaskRead>;

const IdList = z.array(Id).max(200);

/**
 * Custom fields are not implemented in the desktop edition (no definitions exist), so only an
 * empty object is accepted; anything else is a clear 422 rather than silently dropped data.
 */
export const CustomFieldValues = z
  .record(z.string(), z.unknown())
  .refine((v) => Object.keys(v).length === 0, { message: 'no custom fields are defined' });

export const TaskCreate = z.strictObject({
  title: Text(500),
  description: z.string().max(50_000).nullable().optional(),
  status: TaskStatus.default('inbox'),
  priority: Priority.default('medium'),
  due_at: z.iso.datetime({ offset: true }).nullable().optional(),
  assigned_agent_id: Id.nullable().optional(),
  depends_on_task_ids: IdList.default([]),
  tag_ids: IdList.default([]),
  custom_field_values: CustomFieldValues.default({}),
  created_by_user_id: z.string().max(100).nullable().optional(),
});
export type TaskCreate = z.infer<typeof TaskCreate>;

export const TaskUpdate = z.strictObject({
  title: Text(500).optional(),
  description: z.string().max(50_000).nullable().optional(),
  /** Explicit `null` is refused with "status is required", as in the web edition. */
  status: TaskStatus.nullable().optional(),
  priority: Priority.optional(),
  due_at: z.iso.datetime({ offset: true }).nullable().optional(),
  assigned_agent_id: Id.nullable().optional(),
  depends_on_task_ids: IdList.optional(),
  tag_ids: IdList.optional(),
  custom_field_values: CustomFieldValues.optional(),
  comment: z.string().max(50_000).nullable().optional(),
});
export type TaskUpdate = z.infer<typeof TaskUpdate>;

export const TaskParams = z.object({ board_id: Id, task_id: Id });

/** `?status=inbox,review` — a comma list of known statuses. */
export const TaskListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const parts = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = parts.filter((p) => !TaskStatus.safeParse(p).success);
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'Unsupported task status filter.' });
        return z.NEVER;
      }
      return parts as TaskStatus[];
    }),
  assigned_agent_id: Id.optional(),
  unassigned: QueryBool.optional(),
});

export const TaskCommentRead = z.object({
  id: Id,
  message: z.string().nullable(),
  agent_id: Id.nullable(),
  task_id: Id.nullable(),
  created_at: Timestamp,
});
export type TaskCommentRead = z.infer<typeof TaskCommentRead>;

export const TaskCommentCreate = z.strictObject({ message: Text(50_000) });

export const TagRead = z.object({
  id: Id,
  name: z.string(),
  slug: z.string(),
  color: z.string(),
  description: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TagRead = z.infer<typeof TagRead>;

export const TagCreate = z.strictObject({
  name: Text(100),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .max(100)
    .optional(),
  color: z
    .string()
    .trim()
    .regex(/^#?[0-9a-fA-F]{6}$/, { message: 'must be a 6-digit hex colour' })
    .transform((c) => c.replace('#', '').toLowerCase())
    .default('9e9e9e'),
  description: z.string().max(2000).nullable().optional(),
});
export const TagParams = z.object({ tag_id: Id });
