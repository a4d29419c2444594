import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/open-db.js';
import { agents, type AgentRow } from '../db/schema.js';
import type { Logger } from '../logging.js';
import type { LifecyclePolicy } from './context.js';
import { recordLifecycle } from './lifecycle-trail.js';

/*
 * The wake ladder's owner: the only writer of its columns (wake_attempts, last_wake_sent_at,
 * checkin_deadline_at, reconcile_at, and the give-up: offline with its reason). The provisioner,
 * the ladder's tick (lifecycle/wake-ladder-runner.ts) and the check-in (services/checkin.ts) all write through
 * here; why an agent is offline (silence, or the ladder gave up) is beside it, in
 * wake-ladder-reasons.ts. The web edition queued a delayed reconcile task after every wake; here the
 * queue is the `reconcile_at` column (indexed), next to the deadline it checks:
 *
 * - a wake (sent or failed) counts an attempt, sets `checkin_deadline_at = wake + deadline` and queues
 *   a check for halfway to it (`lifecycle.queue.enqueued`);
 * - a check that runs before the deadline finds nothing to do yet and re-queues itself for the
 *   deadline (`lifecycle.reconcile.deferred`) — on its way it looks at what the gateway did with the
 *   wake, so a wake the gateway dropped is noticed while the agent still has time;
 * - a check-in resets the ladder (`lifecycle.checkin`) but leaves the queued check, which then finds
 *   the agent not stuck (`lifecycle.reconcile.skip_not_stuck`), as in the web edition.
 */

/** A check queued at a wake runs this long after it: before the deadline, so it defers once. */
export const firstCheckDelayMs = (policy: Pick<LifecyclePolicy, 'checkinDeadlineMs'>): number => Math.round(policy.checkinDeadlineMs / 2);

export interface ArmedWake {
  attempt: number;
  deadline: Date;
}

/**
 * Count a wake attempt taken at `wakeAt` (sent, about to be sent, or failed with `error`), set its
 * deadline and queue its check. The trail says so whatever the wake's outcome.
 */
export function armWake(
  tx: DbOrTx,
  logger: Logger,
  policy: Pick<LifecyclePolicy, 'checkinDeadlineMs'>,
  agent: Pick<AgentRow, 'id' | 'wakeAttempts'>,
  wakeAt: Date,
  now: Date,
  opts: { how: string; error?: string | null; bumpGeneration?: boolean; resend?: boolean },
): ArmedWake {
  const deadline = new Date(wakeAt.getTime() + policy.checkinDeadlineMs);
  const checkAt = new Date(wakeAt.getTime() + firstCheckDelayMs(policy));
  // A wake the gateway dropped is sent again as the same attempt: the agent never saw the first one.
  // The attempt is read back from the row, not the caller's snapshot: a new cycle may have reset the
  // count since that snapshot was taken (a re-provision after offline is wake 1, not wake 4).
  const counted = tx
    .update(agents)
    .set({
      ...(!opts.resend && { wakeAttempts: sql`${agents.wakeAttempts} + 1` }),
      lastWakeSentAt: wakeAt,
      checkinDeadlineAt: deadline,
      reconcileAt: checkAt,
      ...(opts.bumpGeneration && { lifecycleGeneration: sql`${agents.lifecycleGeneration} + 1` }),
      ...(opts.error !== undefined && { lastProvisionError: opts.error }),
      updatedAt: now,
    })
    .where(eq(agents.id, agent.id))
    .returning({ wakeAttempts: agents.wakeAttempts })
    .get();
  const attempt = counted?.wakeAttempts ?? (opts.resend ? agent.wakeAttempts : agent.wakeAttempts + 1);
  recordLifecycle(
    tx,
    logger,
    now,
    'lifecycle.queue.enqueued',
    agent.id,
    `wake ${attempt}${opts.resend ? ' re-sent' : ''} (${opts.how}): check-in due by ${deadline.toISOString()}; reconcile check queued for ${checkAt.toISOString()}`,
    {
      attempt,
      delay_seconds: (checkAt.getTime() - now.getTime()) / 1000,
      deadline: deadline.toISOString(),
      wake_failed: opts.error != null,
      ...(opts.resend && { resent: true }),
    },
  );
  return { attempt, deadline };
}

/** A check-in that ends a ladder in progress (the steady ones are not trail-worthy). */
export function recordCheckin(tx: DbOrTx, logger: Logger, now: Date, agent: Pick<AgentRow, 'id' | 'wakeAttempts'>): void {
  recordLifecycle(tx, logger, now, 'lifecycle.checkin', agent.id, `checked in after ${agent.wakeAttempts} wake(s); ladder reset`, {
    attempts: agent.wakeAttempts,
  });
}

/** A finished reconcile task, as the web edition's worker reported it (for lifecycle tasks). */
export function recordWorkerSuccess(tx: DbOrTx, logger: Logger, now: Date, agentId: string, task: string): void {
  recordLifecycle(tx, logger, now, 'queue.worker.success', agentId, `lifecycle task done: ${task}`, { task });
}

/** A provisioning run that starts a new cycle (not a retry of the ladder): no attempt counted yet. */
export const NEW_CYCLE = { wakeAttempts: 0 } as const;

/** The ladder columns as a check-in leaves them (the answer is built from the row in memory). */
export const CHECKIN_RESET = { wakeAttempts: 0, checkinDeadlineAt: null } as const;

/**
 * The check-in's write, prepared once (the hot path: every agent, every wake): the clock, the status,
 * the ladder reset and the last error cleared. The queued check (reconcile_at) stays: it finds the
 * agent not stuck (`skip_not_stuck`), as in the web edition.
 */
export function prepareCheckinWrite(db: DbOrTx) {
  return db
    .update(agents)
    .set({
      lastSeenAt: sql`${sql.placeholder('now')}`,
      updatedAt: sql`${sql.placeholder('now')}`,
      ...CHECKIN_RESET,
      lastProvisionError: null,
      status: sql`${sql.placeholder('status')}`,
    })
    .where(eq(agents.id, sql.placeholder('id')))
    .prepare();
}

/** Is a ladder in progress (a check-in then ends it, in the trail)? */
export const ladderInProgress = (agent: Pick<AgentRow, 'checkinDeadlineAt' | 'wakeAttempts'>): boolean =>
  agent.checkinDeadlineAt !== null || agent.wakeAttempts > 0;

/**
 * The queued check is done and nothing waits on a deadline any more. `resetAttempts`: the agent
 * checked in (the ladder starts from 0 next time); `now`: the row's updated_at moves with it.
 */
export function clearCheck(tx: DbOrTx, agentId: string, opts: { now?: Date; resetAttempts?: boolean } = {}): void {
  tx.update(agents)
    .set({
      checkinDeadlineAt: null,
      reconcileAt: null,
      ...(opts.resetAttempts && { wakeAttempts: 0 }),
      ...(opts.now && { updatedAt: opts.now }),
    })
    .where(eq(agents.id, agentId))
    .run();
}

/** A check that ran before the deadline re-queues itself for it. */
export function deferCheck(tx: DbOrTx, agentId: string, until: Date): void {
  tx.update(agents).set({ reconcileAt: until }).where(eq(agents.id, agentId)).run();
}

/** The ladder gives up: offline, with the reason on the record (never just "offline"). */
export function giveUp(tx: DbOrTx, agentId: string, reason: string, now: Date): void {
  tx.update(agents)
    .set({
      status: 'offline',
      checkinDeadlineAt: null,
      reconcileAt: null,
      provisionAction: null,
      lastProvisionError: reason,
      updatedAt: now,
    })
    .where(eq(agents.id, agentId))
    .run();
}

/** An operator's wake starts a new cycle: no attempt counted yet, the last error forgotten. */
export function restartCycle(tx: DbOrTx, agentId: string, now: Date): void {
  tx.update(agents).set({ wakeAttempts: 0, lastProvisionError: null, updatedAt: now }).where(eq(agents.id, agentId)).run();
}

/** An operator's wake joined the wake just sent: that wake is attempt 1 of the new cycle. */
export function joinCycle(tx: DbOrTx, agentId: string, now: Date): void {
  tx.update(agents).set({ wakeAttempts: 1, updatedAt: now }).where(eq(agents.id, agentId)).run();
}

/** Provisioning interrupted by a crash (provision_action set, no deadline) is due at once. */
export function queueInterrupted(tx: DbOrTx, now: Date): void {
  tx.update(agents)
    .set({ checkinDeadlineAt: now, reconcileAt: now })
    .where(and(isNotNull(agents.provisionAction), isNull(agents.checkinDeadlineAt)))
    .run();
}
