import type { LogEvent, Logger } from './logging.js';

/*
 * Refusals are cheap to cause and each one used to cost a log line: an unauthenticated client, a page
 * with a foreign Host header or an agent with a dead token could grow the log as fast as it could send.
 * The throttle writes the first refusal of each kind (a key: who and where) in a window, counts the
 * rest, and writes one summary line with the counts when the window is over — a flood costs at most
 * `maxKeys` + 1 lines per window, however many requests it sends. The summary is written by `flush`
 * (the backend calls it every window and at stop) or by the first refusal after the window.
 */

export interface LogThrottleOptions {
  logger: Logger;
  now: () => Date;
  /** Default 60 s. */
  windowMs?: number;
  /** Distinct keys logged per window; the rest are only counted. Default 50. */
  maxKeys?: number;
}

type Fields = Record<string, unknown>;

/** Keys named in a summary line (the biggest counts). */
const SUMMARY_TOP = 10;

export function createLogThrottle(options: LogThrottleOptions) {
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 50;
  let startedAt = options.now().getTime();
  /** key → refusals not logged in this window. */
  let seen = new Map<string, number>();
  let unkeyed = 0;

  function flush(): void {
    const suppressed = [...seen.values()].reduce((a, b) => a + b, 0) + unkeyed;
    if (suppressed > 0) {
      const top = [...seen]
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, SUMMARY_TOP)
        .map(([key, count]) => ({ key, count }));
      options.logger.warn('log.refusals_suppressed', `${suppressed} more refusal(s) in the last window were counted, not logged`, {
        suppressed,
        window_seconds: Math.round(windowMs / 1000),
        top,
        over_key_cap: unkeyed,
      });
    }
    seen = new Map();
    unkeyed = 0;
    startedAt = options.now().getTime();
  }

  return {
    /** Logs the first refusal of `key` in this window (returns true), counts the others (false). */
    warn(key: string, event: LogEvent, msg: string, fields?: Fields): boolean {
      if (options.now().getTime() - startedAt >= windowMs) flush();
      const count = seen.get(key);
      if (count !== undefined) {
        seen.set(key, count + 1);
        return false;
      }
      if (seen.size >= maxKeys) {
        unkeyed++;
        return false;
      }
      seen.set(key, 0);
      options.logger.warn(event, msg, { ...fields, throttled_per_seconds: Math.round(windowMs / 1000) });
      return true;
    },
    flush,
  };
}

export type LogThrottle = ReturnType<typeof createLogThrottle>;
