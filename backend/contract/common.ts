import { z } from 'zod';
import { ErrorCode } from './errors.js';

/** Every id in the API is a UUID, as in the web edition. */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/** Timestamps travel as ISO 8601 strings (UTC, with `Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** A non-blank, trimmed string of bounded length. */
export const Text = (max = 10_000) => z.string().trim().min(1, { message: 'must not be blank' }).max(max);

/** Query-string booleans: `true|false|1|0`. (`z.coerce.boolean` would read "false" as true.) */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(200),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** `{board_id}`: the path parameter of every board-scoped resource (tasks, approvals, memory, …). */
export const BoardParams = z.object({ board_id: Id });

/** The web edition's paging envelope. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });

export const OkResponse = z.object({ ok: z.literal(true) });

/** One entry of a validation error, shaped like FastAPI's so existing scripts keep parsing it. */
export const ValidationIssue = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
});

export const ErrorResponse = z.object({
  detail: z.union([z.string(), z.array(ValidationIssue), z.record(z.string(), z.unknown())]),
  request_id: z.string(),
  code: ErrorCode.optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

export const TASK_STATUSES = ['inbox', 'in_progress', 'review', 'done'] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const ApprovalStatus = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** Stored agent states. Heartbeats through `/api/v1/agents/.../heartbeat` may also set a status of the agent's own (`AgentReportedStatus`). */
export const AGENT_STATUSES = ['provisioning', 'online', 'offline', 'updating', 'deleting'] as const;
/**
 * The lifecycle states only Mission Control sets: an agent reporting one would take itself out of
 * supervision (`deleting` is skipped by the wake ladder and by token rotation, `updating` is never
 * shown offline, …).
 */
export const LIFECYCLE_STATUSES = ['provisioning', 'updating', 'deleting', 'offline'] as const;
