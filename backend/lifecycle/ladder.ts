import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/open-db.js';
import { agents, type AgentRow } from '../db/schema.js';
import type { GatewayConnection } from '../gateway/connection.js';
import type { Logger } from '../logging.js';
import type { LifecyclePolicy } from '../core/context.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';

/*
 * The ladder's column writes, in one place (the provisioner, the supervisor and the check-in share
 * them). The web edition queued a delayed reconcile task after every wake; here the queue is the
 * `reconcile_at` column (indexed), next to the deadline it checks:
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
export const firstCheckDelayMs = (policy: Pick<LifecyclePolicy, 'checkinDeadlineMs'>): number =>
  Math.round(policy.checkinDeadlineMs / 2);

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

/**
 * The gateway connection as seen by one ladder step: no request outlives the step's deadline, so a
 * hung gateway costs an agent its attempt, not more (without this, each request waits out the
 * connection's own 30 s timeout, one after another).
 */
export function boundedBy(conn: GatewayConnection, deadlineAt: Date | undefined, now: () => Date): GatewayConnection {
  if (!deadlineAt) return conn;
  const request: GatewayConnection['request'] = (method, params, opts = {}) => {
    const left = Math.max(250, deadlineAt.getTime() - now().getTime());
    return conn.request(method, params, { ...opts, timeoutMs: Math.min(opts.timeoutMs ?? left, left) });
  };
  // The getters (state, hello) stay live: the bounded view inherits them instead of copying them.
  return Object.assign(Object.create(conn) as GatewayConnection, { request });
}
