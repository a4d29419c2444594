import { eq, sql } from 'drizzle-orm';
import { agents, type AgentRow } from '../db/schema.js';
import { GatewayError } from '../gateway/errors.js';
import type { Logger } from '../logging.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { armWake, NEW_CYCLE } from '../core/wake-ladder.js';
import { TokenMismatchError } from './provision-token.js';
import type { ProvisionAction, ProvisionOptions } from './provisioner.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';

/*
 * What a provisioning run leaves on the agent record, the ladder, the activity log and the lifecycle
 * trail: started, succeeded, or failed (with the action still owed). Each outcome is one transaction.
 */

export function markStarted(ctx: ServiceContext, agent: AgentRow, action: ProvisionAction, newCycle: boolean): void {
  ctx.db
    .update(agents)
    .set({
      status: action === 'update' ? 'updating' : 'provisioning',
      provisionAction: action,
      ...(newCycle && NEW_CYCLE),
      provisionRequestedAt: ctx.now(),
      lifecycleGeneration: sql`${agents.lifecycleGeneration} + 1`,
      lastProvisionError: null,
      updatedAt: ctx.now(),
    })
    .where(eq(agents.id, agent.id))
    .run();
}

/** Online, nothing owed; the wake (sent at `wakeSentAt`) counted on the ladder unless the ladder already counted it. */
export function markProvisioned(
  ctx: ServiceContext,
  log: Logger,
  agent: AgentRow,
  options: ProvisionOptions,
  outcome: { woke: 'wake' | 'chat.send' | null; wakeSentAt: Date; policyWarning: string | null },
): void {
  const { woke, wakeSentAt, policyWarning } = outcome;
  const now = ctx.now();
  ctx.db.transaction((tx) => {
    tx.update(agents)
      .set({ status: 'online', provisionAction: null, provisionRequestedAt: null, lastProvisionError: policyWarning, updatedAt: now })
      .where(eq(agents.id, agent.id))
      .run();
    if (woke && !options.armed) armWake(tx, log, ctx.policy, agent, wakeSentAt, now, { how: `woken with ${woke}` });
    recordActivity(tx, now, {
      eventType: `agent.${options.action}.direct`,
      message: `${agent.name} ${options.action === 'update' ? 'updated' : 'provisioned'} on the gateway${woke ? ` and woken (${woke})` : ''}.`,
      agentId: agent.id,
      boardId: agent.boardId,
    });
  });
}

/**
 * A failed run leaves the agent in the state it had, with the reason on the record and the action
 * still owed (`provision_action` stays set, so the next wake provisions instead of only waking).
 * When it was meant to wake the agent, the failure counts as a wake attempt with a deadline, so
 * the supervisor's ladder carries on and ends online or offline-with-reason — never stuck.
 *
 * Two exceptions, because an owed provisioning is retried by the supervisor without `keepTokenOnly`
 * and would mint a token nobody asked for:
 * - a token mismatch is a report, not a failure to retry: nothing was written, no wake was sent,
 *   the trail gets `lifecycle.token.mismatch` and the record says how to re-key;
 * - any other failure of a `keepTokenOnly` run (a template sync) leaves the owed action as it was
 *   before the run: the sync's result carries the error and running the sync again is the retry.
 */
export function markFailed(ctx: ServiceContext, log: Logger, agent: AgentRow, options: ProvisionOptions, err: unknown): void {
  const now = ctx.now();
  if (err instanceof TokenMismatchError) {
    const reason = `Not ${options.action === 'update' ? 'updated' : 'provisioned'}: ${err.message}. Re-key it with a template sync with rotate_tokens=true.`;
    ctx.db.transaction((tx) => {
      tx.update(agents)
        .set({ status: agent.status, provisionAction: agent.provisionAction, lastProvisionError: reason, updatedAt: now })
        .where(eq(agents.id, agent.id))
        .run();
      recordLifecycle(tx, log, now, 'lifecycle.token.mismatch', agent.id, reason, { token: 'mismatch', action: options.action }, 'warn');
    });
    return;
  }
  const explanation = err instanceof GatewayError ? `${err.explanation} (${err.detail})` : (err as Error).message;
  const reason = `Gateway ${options.action} failed: ${explanation}`;
  ctx.db.transaction((tx) => {
    tx.update(agents)
      .set({
        status: agent.status,
        provisionAction: options.keepTokenOnly ? agent.provisionAction : options.action,
        lastProvisionError: reason,
        updatedAt: now,
      })
      .where(eq(agents.id, agent.id))
      .run();
    // A failed wake still counts, with its deadline and queued check: the ladder carries on.
    if (options.wake && !options.armed) armWake(tx, log, ctx.policy, agent, now, now, { how: `${options.action} failed`, error: reason });
    recordActivity(tx, now, {
      eventType: `agent.${options.action}.failed`,
      message: `${agent.name}: ${explanation}`,
      agentId: agent.id,
      boardId: agent.boardId,
    });
    recordLifecycle(
      tx,
      log,
      now,
      'lifecycle.wake.failed',
      agent.id,
      reason,
      { code: err instanceof GatewayError ? err.code : 'internal', action: options.action },
      'warn',
    );
  });
}
