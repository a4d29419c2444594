import { describe, expect, it } from 'vitest';
import { backoffDelayMs, createLoopRegistry, isDiskFull } from '../../backend/core/guarded-loop.js';
import type { Logger, LogEvent } from '../../backend/logging.js';

/*
 * The guarded loop on its own: a run that throws never leaves the timer (it would end the process),
 * is logged with its event, backs off (bounded), stays visible until a run succeeds, and the loop keeps
 * running. The faults are thrown errors shaped like better-sqlite3's (a FakeFullDisk error object:
 * the real SQLITE_FULL through the app is in test/api/loop-faults.test.ts).
 */

interface Line {
  level: string;
  event: LogEvent;
  fields: Record<string, unknown>;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (event: LogEvent, _msg: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, event, fields });
  const logger: Logger = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: () => logger,
    setLevel: () => {},
    isLevelEnabled: () => true,
    level: 'debug',
    flush: () => {},
    close: async () => {},
  };
  return logger;
}

/** A FakeFullDisk fault: what better-sqlite3 throws when SQLite answers SQLITE_FULL. */
const fakeFullDisk = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('guarded loop', () => {
  it('a throwing run is logged, backs off exponentially up to the cap, keeps running, and recovers', async () => {
    const lines: Line[] = [];
    const loops = createLoopRegistry({ logger: recordingLogger(lines) });
    const delays: number[] = [];
    let runs = 0;
    const failUntil = 4;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const loop = loops.every(
      'test loop',
      () => {
        runs += 1;
        if (runs > 1) delays.push(loops.statuses()[0]!.next_delay_ms);
        if (runs <= failUntil) throw fakeFullDisk();
        if (runs === failUntil + 2) done();
      },
      { intervalMs: 5, maxBackoffMs: 30 },
    );
    loop.start();
    await finished;
    await loop.stop();
    // The wait before runs 2..6: after failure 1 → 10, 2 → 20, 3 → 30 (capped), 4 → 30, then the interval again.
    expect(delays).toEqual([10, 20, 30, 30, 5]);
    const failed = lines.filter((l) => l.event === 'loop.failed');
    expect(failed).toHaveLength(4);
    expect(failed[0]).toMatchObject({ level: 'error', fields: { loop: 'test loop', code: 'SQLITE_FULL', disk_full: true } });
    expect(lines.filter((l) => l.event === 'loop.recovered')).toHaveLength(1);
    expect(loops.statuses()[0]).toMatchObject({ failing: false, consecutive_failures: 0, disk_full: false });
  });

  it('a fault reported by work the loop started (not awaited) counts against the loop until a clean run', async () => {
    const lines: Line[] = [];
    const loops = createLoopRegistry({ logger: recordingLogger(lines) });
    let runs = 0;
    let reached!: () => void;
    const third = new Promise<void>((resolve) => (reached = resolve));
    const loop = loops.every(
      'lanes',
      () => {
        runs += 1;
        if (runs === 1) setImmediate(() => loop.fault(new Error('SQLITE_BUSY: database is locked')));
        if (runs === 3) reached();
      },
      { intervalMs: 5 },
    );
    loop.start();
    await third;
    await loop.stop();
    expect(lines.filter((l) => l.event === 'loop.failed').map((l) => l.fields.error)).toEqual(['SQLITE_BUSY: database is locked']);
    expect(lines.some((l) => l.event === 'loop.recovered')).toBe(true);
  });

  it('stop() waits for a run in progress and no run starts after it', async () => {
    const loops = createLoopRegistry({ logger: recordingLogger([]) });
    let runs = 0;
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const loop = loops.every(
      'slow',
      async () => {
        runs += 1;
        started();
        await new Promise<void>((resolve) => (release = resolve));
      },
      { intervalMs: 1 },
    );
    loop.start();
    await running;
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
  });

  it('knows a full disk when it sees one, and bounds the backoff', () => {
    expect(isDiskFull(fakeFullDisk())).toBe(true);
    expect(isDiskFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(backoffDelayMs(1_000, 0)).toBe(1_000);
    expect(backoffDelayMs(1_000, 3)).toBe(8_000);
    expect(backoffDelayMs(1_000, 500)).toBe(60_000);
    expect(backoffDelayMs(3_600_000, 2)).toBe(3_600_000); // never below the interval itself
  });
});
