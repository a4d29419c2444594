import cron, { type ScheduledTask } from 'node-cron';
import { readAppSettings, writeAppPreferences } from '../app-settings.js';
import {
  SCHEDULE_NAMES,
  type ScheduleName,
  type ScheduleOutcome,
  type SchedulePreferences,
  type ScheduleRun,
  type SchedulesRead,
} from '../contract/schedules.js';
import type { Logger } from '../logging.js';
import type { DbBackup } from './db-backup.js';
import {
  applySchedulesPatch,
  checkSchedulesUpdate,
  cronProblem,
  resolveSchedule,
  savedBackupKeep,
  savedSchedules,
  SCHEDULE_KINDS,
} from './schedule-settings.js';

/*
 * The schedules a user sets on the Settings page, run by node-cron (docs/architecture.md, "Schedules":
 * why the ladder is not one of them). Each run is recorded: `schedule.ran` (info, or warn when a
 * check found something) or `schedule.failed` (error) with the schedule's name, duration and
 * outcome, and the last run is in `GET /api/v1/settings/schedules` with node-cron's next one. A run
 * never overlaps the previous one of the same schedule, a job's error is recorded and never thrown
 * into node-cron, and `stop()` ends the timers and waits for runs in flight (the backend's stop
 * phases close the database only after it).
 */

export interface JobResult {
  outcome: Exclude<ScheduleOutcome, 'failed'>;
  summary: string;
  fields?: Record<string, unknown>;
}

export type ScheduleJobs = Record<ScheduleName, () => Promise<JobResult>>;

export interface SchedulesDeps {
  dataDir: string;
  /** What agents are told (kept in app-settings.json when the preferences are written). */
  baseUrl: string;
  now: () => Date;
  logger: Logger;
  jobs: ScheduleJobs;
  backup: Pick<DbBackup, 'dir' | 'list'>;
}

export function createSchedules(deps: SchedulesDeps) {
  const log = deps.logger.child('schedules');
  const tasks = new Map<ScheduleName, ScheduledTask>();
  const errors = new Map<ScheduleName, string>();
  const lastRuns = new Map<ScheduleName, ScheduleRun>();
  const running = new Map<ScheduleName, Promise<void>>();
  let started = false;

  const saved = (): SchedulePreferences | undefined => savedSchedules(deps.dataDir);

  /** One run, recorded; never throws. A run already in flight for this schedule is not doubled. */
  function run(name: ScheduleName): Promise<void> {
    const inFlight = running.get(name);
    if (inFlight) return inFlight;
    const startedAt = deps.now();
    const record = (outcome: ScheduleOutcome, summary: string, fields: Record<string, unknown> = {}) => {
      const durationMs = Math.max(0, deps.now().getTime() - startedAt.getTime());
      lastRuns.set(name, { started_at: startedAt.toISOString(), duration_ms: durationMs, outcome, summary });
      const line = { schedule: name, outcome, duration_ms: durationMs, ...fields };
      if (outcome === 'failed') log.error('schedule.failed', `schedule “${name}” failed: ${summary}`, line);
      else if (outcome === 'problem') log.warn('schedule.ran', `schedule “${name}” ran and found a problem: ${summary}`, line);
      else log.info('schedule.ran', `schedule “${name}” ran: ${summary}`, line);
    };
    const work = Promise.resolve()
      .then(() => deps.jobs[name]())
      .then(
        (result) => record(result.outcome, result.summary, result.fields),
        (err: unknown) => record('failed', (err as Error)?.message ?? String(err)),
      )
      .finally(() => running.delete(name));
    running.set(name, work);
    return work;
  }

  /** (Re)creates node-cron's tasks from what is saved; an unusable saved expression is reported, not run. */
  function apply(): void {
    for (const task of tasks.values()) void task.destroy();
    tasks.clear();
    errors.clear();
    if (!started) return;
    const prefs = saved();
    for (const name of SCHEDULE_NAMES) {
      const setting = resolveSchedule(prefs, name);
      if (!setting.enabled) continue;
      const problem = cronProblem(setting.cron);
      if (problem) {
        errors.set(name, `the saved expression “${setting.cron}” is ${problem}; fix it on the Settings page`);
        continue;
      }
      tasks.set(
        name,
        cron.schedule(setting.cron, () => run(name), {
          name: `mission-control ${name}`,
          noOverlap: true,
          // node-cron's own lines (a missed beat after a suspend) are not ours to print on stdout.
          logger: {
            info: () => undefined,
            debug: () => undefined,
            warn: (message) => log.debug('schedule.failed', `node-cron: ${message}`, { schedule: name }),
            error: (message) => log.warn('schedule.failed', `node-cron: ${String(message)}`, { schedule: name }),
          },
        }),
      );
    }
  }

  function read(): SchedulesRead {
    const prefs = saved();
    return {
      items: SCHEDULE_NAMES.map((name) => {
        const setting = resolveSchedule(prefs, name);
        const next = tasks.get(name)?.getNextRun() ?? null;
        return {
          name,
          title: SCHEDULE_KINDS[name].title,
          description: SCHEDULE_KINDS[name].description,
          enabled: setting.enabled,
          cron: setting.cron,
          default_cron: SCHEDULE_KINDS[name].default.cron,
          next_run_at: next ? next.toISOString() : null,
          last_run: lastRuns.get(name) ?? null,
          running: running.has(name),
          error: errors.get(name) ?? null,
        };
      }),
      backup: { dir: deps.backup.dir, keep: savedBackupKeep(deps.dataDir), files: deps.backup.list() },
    };
  }

  return {
    read,
    /** Checked with node-cron (422 naming the field), saved, applied at once. */
    update(body: unknown): SchedulesRead {
      const patch = checkSchedulesUpdate(body);
      const prefs = readAppSettings(deps.dataDir)?.preferences ?? {};
      writeAppPreferences(
        deps.dataDir,
        { ...prefs, schedules: applySchedulesPatch(prefs.schedules, patch) },
        { baseUrl: deps.baseUrl, now: deps.now() },
      );
      // Only after the file is written: a failed write changes nothing.
      apply();
      return read();
    },
    /** Runs one schedule now, outside its timer (recorded like any run). */
    runNow: (name: ScheduleName): Promise<void> => run(name),
    start(): void {
      started = true;
      apply();
    },
    /** No timer fires after this; resolves when the runs in flight have ended. */
    stop(): Promise<void> {
      started = false;
      apply();
      return Promise.allSettled([...running.values()]).then(() => undefined);
    },
  };
}

export type Schedules = ReturnType<typeof createSchedules>;
