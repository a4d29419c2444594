import { z } from 'zod';

/*
 * What the app keeps on disk and for how long (docs/security.md, "the disk and the log"): the log
 * file with its rotation, and the tables that grow with use with their retention horizon. Shown on
 * the Settings page (`GET /api/v1/settings` → `storage`) and by the doctor's `storage.growth` check.
 */

/** How many days of history the growing tables keep (the Settings page and `--retention-days`). */
export const RetentionDays = z.number().int().min(1).max(3650);

export const RETENTION_TABLES = ['lifecycle_events', 'activity_events', 'agent_messages', 'board_memory', 'agent_auth_failures'] as const;
export const RetentionTable = z.enum(RETENTION_TABLES);
export type RetentionTable = z.infer<typeof RetentionTable>;

export const RetentionRun = z.object({
  at: z.string(),
  /** Rows deleted per table. */
  deleted: z.record(RetentionTable, z.number().int()),
  /** Why the run stopped (it is tried again at the next one), or null. */
  error: z.string().nullable(),
});
export type RetentionRun = z.infer<typeof RetentionRun>;

export const StorageRead = z.object({
  log: z.object({
    dir: z.string(),
    /** The current file is rotated before it would grow past this. */
    max_bytes: z.number().int(),
    /** Rotated files kept besides the current one. */
    files_kept: z.number().int(),
    /** The most the log can take: (files_kept + 1) × max_bytes. */
    cap_bytes: z.number().int(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
    total_bytes: z.number().int(),
  }),
  retention: z.object({
    days: z.number().int(),
    /** What is never deleted, whatever its age, in words. */
    keeps: z.array(z.string()),
    last_run: RetentionRun.nullable(),
    next_run_at: z.string().nullable(),
  }),
  tables: z.array(z.object({ table: RetentionTable, rows: z.number().int() })),
});
export type StorageRead = z.infer<typeof StorageRead>;
