import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_HINT_MS,
  MIN_RETRY_HINT_MS,
  clampRetryHint,
  createRedialGate,
  reconnectDelayMs,
} from '../../backend/gateway/redial-policy.js';

describe('gateway retry rules', () => {
  it('a retry hint is clamped: 2^31 ms and more wait 5 min (setTimeout would turn them into 1 ms), tiny ones wait the floor', () => {
    expect(clampRetryHint(2 ** 31 + 5)).toBe(MAX_RETRY_HINT_MS);
    expect(clampRetryHint(1e300)).toBe(MAX_RETRY_HINT_MS);
    expect(clampRetryHint(1)).toBe(MIN_RETRY_HINT_MS);
    expect(clampRetryHint(0)).toBe(0);
    expect(clampRetryHint(-5)).toBe(0);
    expect(clampRetryHint(undefined)).toBe(0);
    expect(clampRetryHint(12_000)).toBe(12_000);
    const backoff = { baseMs: 500, maxMs: 30_000 };
    expect(reconnectDelayMs(0, backoff, 2 ** 31 + 5, () => 0.5)).toBe(MAX_RETRY_HINT_MS);
    expect(reconnectDelayMs(0, backoff, undefined, () => 1)).toBe(500);
    expect(reconnectDelayMs(40, backoff, undefined, () => 1)).toBe(30_000);
  });

  it('a refused gateway is redialled on a doubling schedule up to the cap; a reset (user action, success) dials at once', () => {
    let now = 0;
    const gate = createRedialGate({ baseMs: 5_000, maxMs: 20_000 }, () => now);
    expect(gate.mayRedial('g')).toBe(true);
    gate.refused('g');
    expect(gate.mayRedial('g')).toBe(false);
    now = 4_999;
    expect(gate.mayRedial('g')).toBe(false);
    now = 5_000;
    expect(gate.mayRedial('g')).toBe(true);
    gate.refused('g'); // the redial was refused too: 10 s
    expect(gate.notBefore('g')).toBe(15_000);
    gate.refused('g');
    expect(gate.notBefore('g')).toBe(25_000); // 20 s cap
    gate.refused('g');
    expect(gate.notBefore('g')).toBe(25_000);
    expect(gate.mayRedial('other')).toBe(true);
    gate.reset('g');
    expect(gate.mayRedial('g')).toBe(true);
  });
});
