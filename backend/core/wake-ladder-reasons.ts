import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/open-db.js';
import { agentAuthFailures, lifecycleEvents, type AgentRow } from '../db/schema.js';
import type { LifecyclePolicy } from './context.js';

/*
 * Why an agent is offline, beside the wake ladder (wake-ladder.ts): after silence (a read-side
 * verdict, never stored), or because the ladder gave up (stored, with the reason from the evidence).
 */

export const MAX_ATTEMPTS_REASON = 'Agent did not check in after wake; max wake attempts reached';

/** A run the gateway reported as failed (lifecycle/gateway-runs.ts records it). */
export const RUN_FAILED_EVENT = 'lifecycle.gateway.run_failed';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m` → 600000; unknown or `0m` → null (no cadence). */
export function durationMs(value: string | undefined | null): number | null {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value ?? '');
  if (!m) return null;
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return ms > 0 ? ms : null;
}

/** How long an agent may stay silent before reads call it offline. */
export function silenceThresholdMs(agent: Pick<AgentRow, 'heartbeatConfig'>, policy: LifecyclePolicy): number {
  const every = durationMs(agent.heartbeatConfig?.every);
  return Math.max(policy.minSilenceMs, every === null ? 0 : policy.silenceFactor * every);
}

/**
 * Read-side status, as the web edition computes it, with one fix: a stored `offline` (set by the
 * wake ladder with a reason) is shown as offline even if the agent never checked in, instead of
 * looking like it is still provisioning.
 */
export function computeAgentStatus(agent: AgentRow, now: Date, policy: LifecyclePolicy): string {
  if (agent.status === 'updating' || agent.status === 'deleting' || agent.status === 'offline') return agent.status;
  if (!agent.lastSeenAt) return 'provisioning';
  if (now.getTime() - agent.lastSeenAt.getTime() > silenceThresholdMs(agent, policy)) return 'offline';
  return agent.status;
}

/**
 * The newest failure on record for an agent since `since`: a run the gateway reported as failed, or
 * a wake that could not be sent (`lifecycle.wake.failed`) — whichever came last is the answer.
 */
export function latestFailure(db: DbOrTx, agentId: string, since: Date): { event: string; message: string } | undefined {
  return db
    .select({ event: lifecycleEvents.event, message: lifecycleEvents.message })
    .from(lifecycleEvents)
    .where(
      and(
        eq(lifecycleEvents.agentId, agentId),
        inArray(lifecycleEvents.event, [RUN_FAILED_EVENT, 'lifecycle.wake.failed']),
        gte(lifecycleEvents.createdAt, since),
      ),
    )
    .orderBy(desc(lifecycleEvents.createdAt))
    .limit(1)
    .get();
}

/** Why the ladder gave up, from the evidence we have (never just "offline"). */
export function offlineReason(db: DbOrTx, policy: Pick<LifecyclePolicy, 'checkinDeadlineMs' | 'maxWakeAttempts'>, agent: AgentRow): string {
  const since = agent.lastWakeSentAt
    ? new Date(agent.lastWakeSentAt.getTime() - policy.checkinDeadlineMs * policy.maxWakeAttempts)
    : new Date(0);
  const refused = db
    .select({ n: sql<number>`coalesce(sum(${agentAuthFailures.count}), 0)` })
    .from(agentAuthFailures)
    .where(
      and(eq(agentAuthFailures.agentId, agent.id), eq(agentAuthFailures.reason, 'retired_token'), gte(agentAuthFailures.lastAt, since)),
    )
    .get();
  if (refused && refused.n > 0) {
    return `${MAX_ATTEMPTS_REASON}. Its check-ins were refused (401) because it uses a rotated token: token drift — re-provision it (POST /api/v1/agents/${agent.id}/reprovision) to give it its current token.`;
  }
  // The gateway's own account of the run (model auth refused, provider down…) beats "never called",
  // unless a wake failed after it (then the gateway was not even reached).
  const failure = latestFailure(db, agent.id, since);
  if (failure?.event === RUN_FAILED_EVENT) return `${MAX_ATTEMPTS_REASON}. Last attempt: ${failure.message}`;
  if (agent.lastProvisionError) return `${MAX_ATTEMPTS_REASON}. Last attempt: ${agent.lastProvisionError}`;
  return `${MAX_ATTEMPTS_REASON}. It was woken ${agent.wakeAttempts} time(s) and never called the heartbeat API.`;
}
