import type { AgentRow } from '../db/schema.js';
import type { LifecyclePolicy } from '../core/context.js';

/*
 * The fast-convergence ladder as one pure decision (seed policy: check in within the deadline after
 * each wake, at most N wakes, then offline with a reason). No clock, no database: the wake ladder
 * gathers the agent row and `now`, applies what this returns, and logs it under the web edition's
 * event names.
 */

export type Decision =
  | { kind: 'skip_not_stuck' }
  | { kind: 'skip_deleting' }
  | { kind: 'deferred'; untilMs: number }
  | { kind: 'max_attempts_reached' }
  | { kind: 'retriggered'; attempt: number };


/** Checked in since the last wake: seen at or after it. */
export function checkedInSinceWake(agent: Pick<AgentRow, 'lastSeenAt' | 'lastWakeSentAt'>): boolean {
  if (!agent.lastSeenAt) return false;
  return !agent.lastWakeSentAt || agent.lastSeenAt.getTime() >= agent.lastWakeSentAt.getTime();
}

export function decide(
  agent: Pick<AgentRow, 'status' | 'lastSeenAt' | 'lastWakeSentAt' | 'checkinDeadlineAt' | 'wakeAttempts'>,
  nowMs: number,
  policy: Pick<LifecyclePolicy, 'maxWakeAttempts'>,
): Decision {
  if (checkedInSinceWake(agent)) return { kind: 'skip_not_stuck' };
  if (agent.status === 'deleting') return { kind: 'skip_deleting' };
  const deadline = agent.checkinDeadlineAt?.getTime();
  // A queued check that runs before the deadline re-queues itself for it (the web edition's `deferred`).
  if (deadline !== undefined && nowMs < deadline) return { kind: 'deferred', untilMs: deadline };
  if (agent.wakeAttempts >= policy.maxWakeAttempts) return { kind: 'max_attempts_reached' };
  return { kind: 'retriggered', attempt: agent.wakeAttempts + 1 };
}
