import { describe, expect, it } from 'vitest';
import { createLogThrottle } from '../../backend/log-throttle.js';
import type { Logger, LogEvent } from '../../backend/logging.js';

/* The refusal throttle on its own: lines per window are bounded by the number of keys, never by the number of refusals. */

function recordingLogger() {
  const lines: { event: LogEvent; fields: Record<string, unknown> }[] = [];
  const warn = (event: LogEvent, _msg: string, fields: Record<string, unknown> = {}) => void lines.push({ event, fields });
  const logger = { warn, info: warn, error: warn, debug: warn } as unknown as Logger;
  return { logger, lines };
}

describe('log throttle', () => {
  it('logs the first refusal per key per window, then one summary with the exact count', () => {
    let now = 0;
    const { logger, lines } = recordingLogger();
    const throttle = createLogThrottle({ logger, now: () => new Date(now), windowMs: 60_000, maxKeys: 3 });
    for (let i = 0; i < 10_000; i++) throttle.warn(`peer|route-${i % 5}`, 'auth.user_failed', 'refused');
    // 3 keys logged (the cap), everything else counted.
    expect(lines.filter((l) => l.event === 'auth.user_failed')).toHaveLength(3);
    now += 60_000;
    throttle.warn('peer|route-0', 'auth.user_failed', 'refused'); // a new window: the old one's summary first
    const summaries = lines.filter((l) => l.event === 'log.refusals_suppressed');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.fields).toMatchObject({ suppressed: 10_000 - 3, over_key_cap: 4000 });
    expect(lines.filter((l) => l.event === 'auth.user_failed')).toHaveLength(4);
    throttle.flush();
    throttle.flush(); // nothing suppressed since: no line
    expect(lines.filter((l) => l.event === 'log.refusals_suppressed')).toHaveLength(1);
  });
});
