import { z } from 'zod';
import { ErrorCode } from './errors.js';

/** Every id in the API is a UUID, as in the web edition. */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/** The one organization of a desktop install (the web edition's `organization_id` fields carry it). */
export const LOCAL_ORGANIZATION_ID = '00000000-0000-4000-8000-000000000002';

/** Timestamps travel as ISO 8601 strings (UTC, with `Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** A non-blank, trimmed string of bounded length. */
export const Text = (max = 10_000) => z.string().trim().min(1, { message: 'must not be blank' }).max(max);

/**
 * A date-time an agent sends. The web edition (pydantic) reads one without an offset as UTC, and so
 * does this: `2026-12-31T17:00:00` (or with a space for the `T`) becomes `2026-12-31T17:00:00Z`. One with
 * an offset or `Z` is kept as sent.
 */
export const InputDateTime = z
  .string()
  .trim()
  .max(64)
  .transform((v) => {
    const iso = /^\d{4}-\d{2}-\d{2} \d/.test(v) ? `${v.slice(0, 10)}T${v.slice(11)}` : v;
    return /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
  })
  .pipe(z.iso.datetime({ offset: true }))
  .describe('ISO 8601 date-time; without an offset it is read as UTC');

/** Query-string booleans in the web edition's (pydantic's) spellings, case-insensitive. */
const TRUE_WORDS = ['true', '1', 'yes', 'on', 't', 'y'] as const;
const FALSE_WORDS = ['false', '0', 'no', 'off', 'f', 'n'] as const;
const TRUE_SET = new Set<string>(TRUE_WORDS);
/** `true|false|1|0|yes|no|on|off|t|f|y|n`, any case. (`z.coerce.boolean` would read "false" as true.) */
export const QueryBool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum([...TRUE_WORDS, ...FALSE_WORDS]))
  .transform((v) => TRUE_SET.has(v));

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
