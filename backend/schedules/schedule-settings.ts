import cron from 'node-cron';
import {
  SCHEDULE_NAMES,
  SchedulesUpdate,
  type ScheduleName,
  type SchedulePreferences,
  type ScheduleSetting,
} from '../contract/schedules.js';
import { readAppSettings } from '../app-settings.js';
import { unprocessable } from '../errors.js';

/*
 * What each schedule is, its default, and the check of what the Settings page sends: the contract
 * checks the shape, node-cron's own parser decides what is an expression (so what is saved is what
 * node-cron will run), and a refusal is a 422 naming the field (`["body", "backup", "cron"]`).
 */

export interface ScheduleKind {
  title: string;
  description: string;
  default: ScheduleSetting;
}

export const SCHEDULE_KINDS: Record<ScheduleName, ScheduleKind> = {
  retention: {
    title: 'Retention',
    description:
      'An extra retention pass at the time you choose (the hourly pass keeps running): deletes history older than the retention horizon.',
    default: { enabled: false, cron: '15 2 * * *' },
  },
  backup: {
    title: 'Database backup',
    description: 'A consistent copy of the database (SQLite online backup) into the backups folder; the oldest beyond “keep” are deleted.',
    default: { enabled: true, cron: '30 3 * * *' },
  },
  drift_check: {
    title: 'Template drift check',
    description: 'The doctor’s “workspace files and tokens match” check on every gateway; a finding is logged as a warning.',
    default: { enabled: false, cron: '0 4 * * *' },
  },
  token_check: {
    title: 'Token check',
    description: 'The doctor’s “agent tokens in sync” check (401s with a rotated token); a finding is logged as a warning.',
    default: { enabled: false, cron: '0 * * * *' },
  },
};

export const DEFAULT_BACKUP_KEEP = 7;

/** The schedules as saved in `<dataDir>/app-settings.json` (undefined: all defaults). */
export const savedSchedules = (dataDir: string): SchedulePreferences | undefined => readAppSettings(dataDir)?.preferences.schedules;

/** How many backups are kept, as saved (read at every run: a change applies to the next one). */
export const savedBackupKeep = (dataDir: string): number => savedSchedules(dataDir)?.backup_keep ?? DEFAULT_BACKUP_KEEP;

/** Why node-cron refuses an expression, in words (its own field-by-field reasons), or null when it takes it. */
export function cronProblem(expression: string): string | null {
  if (cron.validate(expression)) return null;
  const reasons = cron.validateDetailed(expression).errors.map((e) => e.message);
  return `not a cron expression node-cron accepts${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''} (5 fields “minute hour day month weekday”, or 6 with seconds first)`;
}

/** The contract's shape, plus node-cron's verdict on every expression. */
export const CheckedSchedulesUpdate = SchedulesUpdate.superRefine((body, ctx) => {
  for (const name of SCHEDULE_NAMES) {
    const expression = body[name]?.cron;
    const problem = expression === undefined ? null : cronProblem(expression);
    if (problem) ctx.addIssue({ code: 'custom', path: [name, 'cron'], message: problem });
  }
});

/** Parse a body (already shaped by the route) with node-cron's check; a refusal is a 422 with field paths. */
export function checkSchedulesUpdate(body: unknown): SchedulesUpdate {
  const parsed = CheckedSchedulesUpdate.safeParse(body);
  if (parsed.success) return parsed.data;
  throw unprocessable(
    parsed.error.issues.map((issue) => ({
      loc: ['body', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      msg: issue.message,
      type: issue.code === 'custom' ? 'invalid_cron' : issue.code,
    })),
  );
}

/** Each schedule as saved, with the defaults filled in. */
export function resolveSchedule(saved: SchedulePreferences | undefined, name: ScheduleName): ScheduleSetting {
  return { ...SCHEDULE_KINDS[name].default, ...saved?.[name] };
}

/** The saved preferences after a patch (a `null` removes the saved value: the default applies again). */
export function applySchedulesPatch(saved: SchedulePreferences | undefined, patch: SchedulesUpdate): SchedulePreferences {
  const next: SchedulePreferences = { ...saved };
  for (const name of SCHEDULE_NAMES) {
    const change = patch[name];
    if (change === null) delete next[name];
    else if (change !== undefined) next[name] = { ...resolveSchedule(saved, name), ...stripUndefined(change) };
  }
  if (patch.backup_keep === null) delete next.backup_keep;
  else if (patch.backup_keep !== undefined) next.backup_keep = patch.backup_keep;
  return next;
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
