import type { Logger } from '../logging.js';

/*
 * Background loops (the wake ladder's tick, the agent feed, the outbox dispatcher, the presence flush,
 * the auth-failure prune) run from timers, where an exception has nowhere to go: thrown from a timer
 * callback it ends the process. Every loop runs through this registry instead. A run that throws (or
 * a fault the loop's own work reports later) is logged, the next run waits a bounded exponential
 * backoff instead of the usual interval, the fault stays visible to the doctor (`runtime.loops`, and
 * `db.disk_full` when SQLite or the OS said the disk is full) until a run succeeds again — and the
 * process keeps serving.
 */

export interface LoopStatus {
  name: string;
  failing: boolean;
  consecutive_failures: number;
  /** The last failure's message (SQLite and OS errors name no secrets; nothing else is kept). */
  last_error: string | null;
  /** `SQLITE_FULL`, `SQLITE_BUSY`, `ENOSPC`, … when the error had a code. */
  last_error_code: string | null;
  last_failure_at: string | null;
  last_success_at: string | null;
  /** The last failure means the disk (or the database's size limit) is full. */
  disk_full: boolean;
  /** The wait before the next run (the backoff while failing). */
  next_delay_ms: number;
}

export interface GuardedLoop {
  /** Schedules the first run one interval from now (idempotent). */
  start(): void;
  /** No further runs; resolves when a run in progress has finished. */
  stop(): Promise<void>;
  /** A failure of work the loop started but did not wait for (it counts against the loop's next run). */
  fault(err: unknown): void;
}

export interface LoopOptions {
  intervalMs: number;
  /** The longest wait between runs while failing (default 60 s, never below the interval). */
  maxBackoffMs?: number;
}

const DEFAULT_MAX_BACKOFF_MS = 60_000;

/** SQLite's "database or disk is full" (a real full disk, or the database's size limit) and the OS's ENOSPC. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return err instanceof Error && /database or disk is full|no space left on device/i.test(err.message);
}

/** interval × 2^failures, capped: 1 failure waits 2 intervals, then 4, 8, … up to the cap. */
export function backoffDelayMs(intervalMs: number, failures: number, maxBackoffMs = DEFAULT_MAX_BACKOFF_MS): number {
  if (failures <= 0) return intervalMs;
  const cap = Math.max(intervalMs, maxBackoffMs);
  return Math.min(cap, intervalMs * 2 ** Math.min(failures, 30));
}

export interface LoopRegistryDeps {
  logger: Logger;
  /** Wall clock for the recorded times (tests inject theirs). */
  now?: () => Date;
}

export function createLoopRegistry(deps: LoopRegistryDeps) {
  const log = deps.logger.child('loops');
  const now = deps.now ?? (() => new Date());
  const states = new Map<string, LoopStatus & { intervalMs: number; maxBackoffMs: number }>();

  function stateOf(name: string, options?: LoopOptions) {
    const intervalMs = options?.intervalMs ?? 0;
    const maxBackoffMs = options?.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    let s = states.get(name);
    if (s && options) Object.assign(s, { intervalMs, maxBackoffMs, next_delay_ms: s.failing ? s.next_delay_ms : intervalMs });
    if (!s) {
      s = {
        name,
        failing: false,
        consecutive_failures: 0,
        last_error: null,
        last_error_code: null,
        last_failure_at: null,
        last_success_at: null,
        disk_full: false,
        next_delay_ms: intervalMs,
        intervalMs,
        maxBackoffMs,
      };
      states.set(name, s);
    }
    return s;
  }

  /** Record a failure of `name`; returns how long to wait before trying again. */
  function failed(name: string, err: unknown, fields: Record<string, unknown> = {}): number {
    const s = stateOf(name);
    const code = (err as { code?: unknown } | null)?.code;
    s.failing = true;
    s.consecutive_failures += 1;
    s.last_error = err instanceof Error ? err.message : String(err);
    s.last_error_code = typeof code === 'string' ? code : null;
    s.last_failure_at = now().toISOString();
    s.disk_full = isDiskFull(err);
    s.next_delay_ms = backoffDelayMs(s.intervalMs, s.consecutive_failures, s.maxBackoffMs);
    log.error('loop.failed', `${name} failed; it keeps running and retries after a backoff`, {
      loop: name,
      error: s.last_error,
      code: s.last_error_code,
      disk_full: s.disk_full,
      consecutive_failures: s.consecutive_failures,
      retry_in_ms: s.next_delay_ms,
      ...fields,
    });
    return s.next_delay_ms;
  }

  /** Record a success of `name`; returns the wait before its next run (its interval). */
  function succeeded(name: string): number {
    const s = stateOf(name);
    if (s.failing) {
      log.info('loop.recovered', `${name} works again`, { loop: name, after_failures: s.consecutive_failures });
    }
    s.failing = false;
    s.consecutive_failures = 0;
    s.disk_full = false;
    s.last_success_at = now().toISOString();
    s.next_delay_ms = s.intervalMs;
    return s.intervalMs;
  }

  /**
   * A loop that runs `run` every `intervalMs` (after a failure: the backoff). A returned promise is
   * awaited before the next run is scheduled; work the run starts without waiting for it reports its
   * own failures with `fault`.
   */
  function every(name: string, run: () => unknown, options: LoopOptions): GuardedLoop {
    stateOf(name, options);
    let timer: NodeJS.Timeout | null = null;
    let running: Promise<void> | null = null;
    let stopped = true;
    let pendingFault: { err: unknown } | null = null;

    function schedule(delayMs: number): void {
      if (stopped) return;
      timer = setTimeout(tick, delayMs);
      timer.unref();
    }

    async function runOnce(): Promise<number> {
      let thrown: { err: unknown } | null = null;
      try {
        await run();
      } catch (err) {
        thrown = { err };
      }
      const failure = thrown ?? pendingFault;
      pendingFault = null;
      return failure ? failed(name, failure.err) : succeeded(name);
    }

    function tick(): void {
      timer = null;
      running = runOnce()
        .catch((err: unknown) => failed(name, err)) // the bookkeeping itself (e.g. the log) must not escape either
        .then((delay) => {
          running = null;
          schedule(delay);
        });
    }

    return {
      start(): void {
        if (!stopped) return;
        stopped = false;
        schedule(options.intervalMs);
      },
      async stop(): Promise<void> {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = null;
        await running;
      },
      fault(err: unknown): void {
        pendingFault = { err };
      },
    };
  }

  /** For a loop with its own timer (the presence flush): report its outcomes, get the wait before the next try. */
  function track(name: string, options: LoopOptions) {
    stateOf(name, options);
    return {
      failed: (err: unknown, fields?: Record<string, unknown>) => failed(name, err, fields),
      succeeded: () => succeeded(name),
    };
  }

  return {
    every,
    track,
    failed,
    succeeded,
    /** Every loop that has run or failed, in the order they were first seen. */
    statuses(): LoopStatus[] {
      return [...states.values()].map(({ intervalMs: _i, maxBackoffMs: _m, ...status }) => ({ ...status }));
    },
  };
}

export type LoopRegistry = ReturnType<typeof createLoopRegistry>;
