import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../backend/errors.js';
import { createLogger } from '../../backend/logging.js';
import { createSchedules } from '../../backend/schedules/scheduler.js';
import { applySchedulesPatch, checkSchedulesUpdate, cronProblem, resolveSchedule } from '../../backend/schedules/schedule-settings.js';

/*
 * The schedules' settings: node-cron decides what an expression is (a refusal names the field), a
 * patch keeps what it does not mention, `null` restores the default, and the next run is node-cron's
 * own computation from the saved expression (Date is moved, not waited for).
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.useRealTimers());

function detailOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).detail;
  }
  throw new Error('expected a refusal');
}

describe('cron expressions', () => {
  it('takes what node-cron takes (5 or 6 fields, names), refuses the rest with node-cron’s reason', () => {
    for (const ok of ['30 3 * * *', '* * * * * *', '0 */15 * * * *', '0 4 * * mon-fri', '0 0 1 jan *']) expect(cronProblem(ok)).toBeNull();
    expect(cronProblem('61 * * * *')).toMatch(/61 is a invalid expression for minute/);
    expect(cronProblem('every night')).toMatch(/not a cron expression/);
    expect(cronProblem('* * * * * * *')).toMatch(/not a cron expression/);
  });

  it('a refused expression is a 422 naming body.<schedule>.cron; several are all named', () => {
    const detail = detailOf(() => checkSchedulesUpdate({ backup: { cron: '61 * * * *' }, token_check: { enabled: true, cron: 'hourly' } }));
    expect(detail).toEqual([
      { loc: ['body', 'backup', 'cron'], msg: expect.stringMatching(/minute/), type: 'invalid_cron' },
      { loc: ['body', 'token_check', 'cron'], msg: expect.stringMatching(/not a cron expression/), type: 'invalid_cron' },
    ]);
  });

  it('shape errors keep their path too (unknown field, keep out of range)', () => {
    expect(detailOf(() => checkSchedulesUpdate({ backup_keep: 0 }))).toEqual([
      expect.objectContaining({ loc: ['body', 'backup_keep'], type: 'too_small' }),
    ]);
    expect(detailOf(() => checkSchedulesUpdate({ backup: { every: 'night' } }))).toEqual([
      expect.objectContaining({ loc: ['body', 'backup'], type: 'unrecognized_keys' }),
    ]);
  });
});

describe('applySchedulesPatch', () => {
  it('keeps what the patch does not mention, and null restores the default', () => {
    const saved = applySchedulesPatch(undefined, { backup: { cron: '0 1 * * *' }, backup_keep: 3 });
    expect(saved).toEqual({ backup: { enabled: true, cron: '0 1 * * *' }, backup_keep: 3 });
    const off = applySchedulesPatch(saved, { backup: { enabled: false } });
    expect(resolveSchedule(off, 'backup')).toEqual({ enabled: false, cron: '0 1 * * *' });
    const reset = applySchedulesPatch(off, { backup: null, backup_keep: null });
    expect(reset).toEqual({});
    expect(resolveSchedule(reset, 'backup')).toEqual({ enabled: true, cron: '30 3 * * *' });
  });
});

describe('next run', () => {
  it('is node-cron’s next match of the saved expression; none when disabled', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 11, 7, 1, 0, 0)); // local time: node-cron runs in the machine's zone
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-sched-'));
    dirs.push(dataDir);
    const logger = createLogger({ level: 'silent', logDir: join(dataDir, 'logs'), stdout: false });
    const job = () => Promise.resolve({ outcome: 'ok' as const, summary: 'nothing' });
    const schedules = createSchedules({
      dataDir,
      baseUrl: 'http://127.0.0.1:8000',
      now: () => new Date(),
      logger,
      jobs: { retention: job, backup: job, drift_check: job, token_check: job },
      backup: { dir: join(dataDir, 'backups'), list: () => [] },
    });
    schedules.start();
    try {
      const byName = () => Object.fromEntries(schedules.read().items.map((i) => [i.name, i]));
      expect(byName().backup!.next_run_at).toBe(new Date(2026, 11, 7, 3, 30, 0).toISOString());
      expect(byName().retention!.next_run_at).toBeNull(); // disabled by default
      schedules.update({ retention: { enabled: true, cron: '0 0 1 * *' }, backup: { cron: '0 22 * * sun' } });
      expect(byName().retention!.next_run_at).toBe(new Date(2027, 0, 1, 0, 0, 0).toISOString());
      expect(byName().backup!.next_run_at).toBe(new Date(2026, 11, 13, 22, 0, 0).toISOString()); // 2026-12-13 is a Sunday
      schedules.update({ backup: { enabled: false } });
      expect(byName().backup!.next_run_at).toBeNull();
    } finally {
      await schedules.stop();
      await logger.close();
    }
  });
});
