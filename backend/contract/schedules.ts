import { z } from 'zod';
import { Timestamp } from './common.js';
import { defineRoute } from './route.js';

/*
 * The schedules a user sets on the Settings page (`/api/v1/settings/schedules`): retention, a nightly
 * backup of the database, and periodic template-drift and token checks, each an enabled flag and a
 * cron expression (node-cron's syntax: 5 fields, or 6 with seconds first). Saved in
 * `<dataDir>/app-settings.json` under `preferences.schedules`; applied at once. The contract checks
 * the shape; the backend checks the expression with node-cron itself (backend/schedules/) and answers
 * 422 with the field path (`["body", "backup", "cron"]`) when it is not one.
 */

export const SCHEDULE_NAMES = ['retention', 'backup', 'drift_check', 'token_check'] as const;
export const ScheduleName = z.enum(SCHEDULE_NAMES);
export type ScheduleName = z.infer<typeof ScheduleName>;

export const CronText = z.string().trim().min(1).max(120);

export const ScheduleSetting = z.object({ enabled: z.boolean(), cron: CronText });
export type ScheduleSetting = z.infer<typeof ScheduleSetting>;

/** How many backups are kept (the oldest beyond it are deleted after each new one). */
export const BackupKeep = z.number().int().min(1).max(365);

/** What app-settings.json holds (each absent = the default). */
export const SchedulePreferences = z.object({
  retention: ScheduleSetting.optional(),
  backup: ScheduleSetting.optional(),
  drift_check: ScheduleSetting.optional(),
  token_check: ScheduleSetting.optional(),
  backup_keep: BackupKeep.optional(),
});
export type SchedulePreferences = z.infer<typeof SchedulePreferences>;

/** One schedule's change: either field alone, or `null` for the default. */
const SchedulePatch = z.strictObject({ enabled: z.boolean().optional(), cron: CronText.optional() }).nullable().optional();

export const SchedulesUpdate = z.strictObject({
  retention: SchedulePatch,
  backup: SchedulePatch,
  drift_check: SchedulePatch,
  token_check: SchedulePatch,
  backup_keep: BackupKeep.nullable().optional(),
});
export type SchedulesUpdate = z.infer<typeof SchedulesUpdate>;

export const ScheduleOutcome = z.enum(['ok', 'problem', 'failed']);
export type ScheduleOutcome = z.infer<typeof ScheduleOutcome>;

export const ScheduleRun = z.object({
  started_at: Timestamp,
  duration_ms: z.number().int(),
  /** `problem`: the job ran and found something (a check's warning); `failed`: it could not run. */
  outcome: ScheduleOutcome,
  summary: z.string(),
});
export type ScheduleRun = z.infer<typeof ScheduleRun>;

export const ScheduleRead = z.object({
  name: ScheduleName,
  title: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  cron: z.string(),
  default_cron: z.string(),
  /** When node-cron fires it next (null: disabled, or the saved expression is unusable). */
  next_run_at: Timestamp.nullable(),
  /** The last run since the app started (also in the log: `schedule.ran` / `schedule.failed`). */
  last_run: ScheduleRun.nullable(),
  running: z.boolean(),
  /** Why a saved expression is not used (edited by hand into something node-cron refuses), or null. */
  error: z.string().nullable(),
});
export type ScheduleRead = z.infer<typeof ScheduleRead>;

export const SchedulesRead = z.object({
  items: z.array(ScheduleRead),
  backup: z.object({
    dir: z.string(),
    keep: z.number().int(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), at: Timestamp })),
  }),
});
export type SchedulesRead = z.infer<typeof SchedulesRead>;

export const SCHEDULE_ROUTES = {
  getSchedules: defineRoute({
    method: 'get',
    path: '/api/v1/settings/schedules',
    operationId: 'get_schedules',
    summary: 'The schedules set in Settings (retention, database backup, drift and token checks): expression, last and next run',
    tags: ['settings'],
    auth: 'user',
    response: SchedulesRead,
  }),
  updateSchedules: defineRoute({
    method: 'patch',
    path: '/api/v1/settings/schedules',
    operationId: 'update_schedules',
    summary:
      'Change a schedule (enabled, cron expression) or how many backups are kept; applies at once. `null` restores the default; an expression node-cron refuses answers 422 naming the field',
    tags: ['settings'],
    auth: 'user',
    body: SchedulesUpdate,
    response: SchedulesRead,
  }),
} as const;
