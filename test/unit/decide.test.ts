import { describe, expect, it } from 'vitest';
import { checkedInSinceWake, decide } from '../../backend/lifecycle/decide.js';

const t = (s: number) => new Date(1_800_000_000_000 + s * 1000);
const policy = { maxWakeAttempts: 3 };
const base = {
  status: 'online',
  lastSeenAt: null as Date | null,
  lastWakeSentAt: t(0) as Date | null,
  checkinDeadlineAt: t(30) as Date | null,
  wakeAttempts: 1,
};
const now = (s: number) => t(s).getTime();

describe('decide (the fast-convergence ladder)', () => {
  it('checked in at or after the last wake → nothing to do', () => {
    expect(decide({ ...base, lastSeenAt: t(5) }, now(31), policy)).toEqual({ kind: 'skip_not_stuck' });
    expect(decide({ ...base, lastSeenAt: t(0) }, now(31), policy)).toEqual({ kind: 'skip_not_stuck' });
    expect(checkedInSinceWake({ lastSeenAt: t(5), lastWakeSentAt: null })).toBe(true);
  });

  it('seen only before the wake still counts as not checked in', () => {
    expect(checkedInSinceWake({ lastSeenAt: t(-1), lastWakeSentAt: t(0) })).toBe(false);
    expect(decide({ ...base, lastSeenAt: t(-1) }, now(31), policy)).toEqual({ kind: 'retriggered', attempt: 2 });
  });

  it('before the deadline → deferred until it, attempts unchanged', () => {
    expect(decide(base, now(29), policy)).toEqual({ kind: 'deferred', untilMs: now(30) });
  });

  it('at/after the deadline → wake again, up to the maximum', () => {
    expect(decide(base, now(30), policy)).toEqual({ kind: 'retriggered', attempt: 2 });
    expect(decide({ ...base, wakeAttempts: 2 }, now(60), policy)).toEqual({ kind: 'retriggered', attempt: 3 });
  });

  it('after the last allowed wake → offline', () => {
    expect(decide({ ...base, wakeAttempts: 3 }, now(90), policy)).toEqual({ kind: 'max_attempts_reached' });
    expect(decide({ ...base, wakeAttempts: 7 }, now(90), policy)).toEqual({ kind: 'max_attempts_reached' });
  });

  it('an agent being deleted is left alone', () => {
    expect(decide({ ...base, status: 'deleting' }, now(31), policy)).toEqual({ kind: 'skip_deleting' });
  });

  it('no deadline and no check-in → wake (a ladder with a lost deadline still ends)', () => {
    expect(decide({ ...base, checkinDeadlineAt: null }, now(0), policy)).toEqual({ kind: 'retriggered', attempt: 2 });
  });
});
