import { and, asc, eq, gte, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { agentAuthFailures, agents, gateways, type AgentRow } from '../db/schema.js';
import { GatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import type { ServiceContext } from '../services/context.js';
import { MAX_ATTEMPTS_REASON, decide, type Decision } from './decide.js';
import { gatewayAgentKey } from './gateway-agents.js';
import { RUN_FAILED_EVENT, latestFailure, watchGatewayRuns } from './gateway-runs.js';
import type { Provisioner } from './provisioner.js';
import { recordLifecycle } from './trail.js';
import { withAgentLock } from './agent-lock.js';
import type { GuardedLoop } from './guarded-loop.js';

/*
 * The check-in supervisor. The ladder lives in the agents table (wake_attempts, last_wake_sent_at,
 * checkin_deadline_at): a tick picks due deadlines with an indexed query and applies `decide()`.
 * Nothing is kept only in memory, so a restart resumes every ladder where it stood. A wake that fails
 * (gateway down, refused) still counts as an attempt with its reason, so every agent ends online or
 * offline-with-reason within deadline × attempts plus one tick — never stuck.
 *
 * Gateways are supervised independently: the wakes of one gateway run in a lane of their own (one
 * agent after another), lanes of different gateways run side by side (at most `maxGatewayLanes`), and
 * the tick never waits for a lane. A gateway that hangs until its request timeout holds up only its
 * own agents; while its lane is busy, its agents are left out of the due query (they are picked up
 * once it finishes), so an agent is never processed twice at once and a hung gateway's backlog cannot
 * crowd the others out of the query's batch. The per-agent lock stays the guard against an operator's
 * wake racing a retry.
 */

export interface SupervisorDeps {
  ctx: ServiceContext;
  manager: GatewayManager;
  provisioner: Provisioner;
  tickMs?: number;
  /** Gateways whose wakes run at the same time (default 4); the rest wait for a later tick. */
  maxGatewayLanes?: number;
}

export function createSupervisor(deps: SupervisorDeps) {
  const { ctx, manager, provisioner } = deps;
  const { db, policy } = ctx;
  const log = ctx.logger.child('lifecycle');
  const tickMs = deps.tickMs ?? Math.min(1_000, Math.max(50, Math.round(policy.checkinDeadlineMs / 10)));
  const maxLanes = Math.max(1, deps.maxGatewayLanes ?? 4);
  let timer: GuardedLoop | null = null;
  let stopWatching: (() => void) | null = null;
  let lastTickAt: Date | null = null;
  /** Gateway id → its lane of wakes in flight. */
  const lanes = new Map<string, Promise<void>>();

  // Agents of gateways with a lane in flight are left out (`busy`: a JSON array of gateway ids).
  const due = db
    .select()
    .from(agents)
    .where(
      and(
        isNotNull(agents.checkinDeadlineAt),
        lte(agents.checkinDeadlineAt, sql.placeholder('now')),
        sql`${agents.gatewayId} NOT IN (SELECT value FROM json_each(${sql.placeholder('busy')}))`,
      ),
    )
    .orderBy(asc(agents.checkinDeadlineAt))
    .limit(200)
    .prepare();

  /** Why the ladder gave up, from the evidence we have (never just "offline"). */
  function offlineReason(agent: AgentRow): string {
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

  /** Count a wake attempt and set the next deadline, whatever the outcome of the wake itself. */
  function scheduleNext(agent: AgentRow, now: Date, error: string | null): void {
    const deadline = new Date(now.getTime() + policy.checkinDeadlineMs);
    db.update(agents)
      .set({
        wakeAttempts: sql`${agents.wakeAttempts} + 1`,
        lastWakeSentAt: now,
        checkinDeadlineAt: deadline,
        lifecycleGeneration: sql`${agents.lifecycleGeneration} + 1`,
        ...(error !== null && { lastProvisionError: error }),
        updatedAt: ctx.now(),
      })
      .where(eq(agents.id, agent.id))
      .run();
    recordLifecycle(
      db,
      log,
      now,
      'lifecycle.queue.enqueued',
      agent.id,
      `check-in deadline ${deadline.toISOString()} (attempt ${agent.wakeAttempts + 1})`,
      {
        attempt: agent.wakeAttempts + 1,
        delay_seconds: policy.checkinDeadlineMs / 1000,
      },
    );
  }

  /** Send one wake through the gateway; failures are classified and counted, never thrown. */
  async function wakeOnce(agent: AgentRow, why: string): Promise<void> {
    const now = ctx.now();
    const gateway = db.select().from(gateways).where(eq(gateways.id, agent.gatewayId)).get();
    if (!gateway) {
      recordLifecycle(db, log, now, 'lifecycle.reconcile.skip_missing_gateway', agent.id, 'the agent’s gateway no longer exists');
      db.update(agents).set({ checkinDeadlineAt: null }).where(eq(agents.id, agent.id)).run();
      return;
    }
    // An agent whose provisioning is still owed is provisioned again (that wakes it); the others are just woken.
    if (agent.provisionAction !== null) {
      const action = agent.provisionAction === 'update' ? 'update' : 'provision';
      const result = await provisioner.tryProvision(agent.id, { action, wake: true, newCycle: false });
      const failed = result instanceof Error;
      recordLifecycle(
        db,
        log,
        ctx.now(),
        failed ? 'lifecycle.wake.failed' : 'lifecycle.wake.sent',
        agent.id,
        failed ? `re-provisioning failed: ${result.message}` : `re-provisioned and woken (${why})`,
        { why },
      );
      return;
    }
    const target = gatewayTarget(gateway);
    try {
      const hello = await manager.ready(target, undefined, { failFast: true });
      const connection = manager.connection(target);
      const key = gatewayAgentKey(agent);
      const text = `Mission Control check-in due (${why}): run the check-in command from AGENTS.md now.`;
      const sessionKey = agent.openclawSessionId ?? `agent:${key}:main`;
      const method = hello.methods.includes('wake') ? 'wake' : 'chat.send';
      if (method === 'wake') await connection.request('wake', { mode: 'now', text, agentId: key, sessionKey });
      else
        await connection.request('chat.send', {
          sessionKey,
          message: text,
          idempotencyKey: `${agent.id}:${agent.lifecycleGeneration + 1}`,
        });
      scheduleNext(agent, now, null);
      recordLifecycle(db, log, now, 'lifecycle.wake.sent', agent.id, `woken with ${method} (${why})`, { method, why });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const reason = `Wake failed: ${err.explanation} (${err.detail})`;
      scheduleNext(agent, now, reason);
      recordLifecycle(db, log, now, 'lifecycle.wake.failed', agent.id, reason, { code: err.code, why }, 'warn');
    }
  }

  /** Apply a decision that only writes (no gateway call). */
  function applyDecision(agent: AgentRow, decision: Exclude<Decision, { kind: 'retriggered' }>, now: Date): void {
    switch (decision.kind) {
      case 'skip_not_stuck':
      case 'skip_deleting':
        db.update(agents)
          .set({ checkinDeadlineAt: null, ...(decision.kind === 'skip_not_stuck' && { wakeAttempts: 0 }), updatedAt: now })
          .where(eq(agents.id, agent.id))
          .run();
        recordLifecycle(
          db,
          log,
          now,
          `lifecycle.reconcile.${decision.kind}`,
          agent.id,
          decision.kind === 'skip_not_stuck' ? 'checked in since the last wake' : 'agent is being deleted',
        );
        return;
      case 'deferred':
        recordLifecycle(
          db,
          log,
          now,
          'lifecycle.reconcile.deferred',
          agent.id,
          `deadline not reached (${new Date(decision.untilMs).toISOString()})`,
        );
        return;
      case 'max_attempts_reached': {
        const reason = offlineReason(agent);
        db.update(agents)
          .set({ status: 'offline', checkinDeadlineAt: null, provisionAction: null, lastProvisionError: reason, updatedAt: now })
          .where(eq(agents.id, agent.id))
          .run();
        recordLifecycle(
          db,
          log,
          now,
          'lifecycle.reconcile.max_attempts_reached',
          agent.id,
          reason,
          { attempts: agent.wakeAttempts },
          'warn',
        );
        return;
      }
    }
  }

  /**
   * Wake again — under the agent's lock, after reading the row again: if an operator's wake, a
   * provisioning or a check-in got there first, this retry is stale and is dropped.
   */
  async function retrigger(snapshot: AgentRow): Promise<void> {
    const owedProvisioning = await withAgentLock(snapshot.id, async () => {
      const now = ctx.now();
      const agent = db.select().from(agents).where(eq(agents.id, snapshot.id)).get();
      if (!agent) {
        recordLifecycle(db, log, now, 'lifecycle.reconcile.skip_missing_agent', snapshot.id, 'the agent was deleted');
        return null;
      }
      const decision = decide(agent, now.getTime(), policy);
      if (agent.lifecycleGeneration !== snapshot.lifecycleGeneration || decision.kind !== 'retriggered') {
        recordLifecycle(
          db,
          log,
          now,
          'lifecycle.reconcile.skip_stale_generation',
          agent.id,
          'something else acted on the agent first; this retry is dropped',
        );
        return null;
      }
      const why = `retry ${decision.attempt}/${policy.maxWakeAttempts}`;
      recordLifecycle(
        db,
        log,
        now,
        'lifecycle.reconcile.retriggered',
        agent.id,
        `no check-in by the deadline: wake ${decision.attempt} of ${policy.maxWakeAttempts}`,
        {
          attempt: decision.attempt,
        },
      );
      // Provisioning takes the same lock itself, so it runs after this one is released.
      if (agent.provisionAction !== null) return { agent, why };
      await wakeOnce(agent, why);
      return null;
    });
    if (owedProvisioning) await wakeOnce(owedProvisioning.agent, owedProvisioning.why);
  }

  /** One gateway's retries, one agent after another (they share one connection). */
  async function runLane(batch: AgentRow[]): Promise<void> {
    for (const agent of batch) {
      try {
        await retrigger(agent);
        log.debug('queue.worker.success', 'lifecycle reconcile done', { agent_id: agent.id });
      } catch (err) {
        log.error('lifecycle.tick_failed', 'reconcile failed', { agent_id: agent.id, error: (err as Error).message });
      }
    }
  }

  /** Applies what is due; resolves once the lanes this pass started have finished. */
  function runTick(): Promise<void> {
    lastTickAt = ctx.now();
    const now = lastTickAt;
    const busy = JSON.stringify([...lanes.keys()]);
    const decided = due.all({ now: now.getTime(), busy }).map((agent) => ({ agent, decision: decide(agent, now.getTime(), policy) }));
    // Decisions that only write (offline, skips) share one transaction: a burst of agents giving up at
    // once costs one commit, not one per agent. Wakes go to the gateways afterwards, in lanes.
    db.transaction(() => {
      for (const { agent, decision } of decided) {
        if (decision.kind === 'retriggered') continue;
        try {
          applyDecision(agent, decision, now);
        } catch (err) {
          log.error('lifecycle.tick_failed', 'reconcile failed', { agent_id: agent.id, error: (err as Error).message });
        }
      }
    });
    const byGateway = new Map<string, AgentRow[]>();
    for (const { agent, decision } of decided) {
      if (decision.kind !== 'retriggered') continue;
      const batch = byGateway.get(agent.gatewayId) ?? [];
      batch.push(agent);
      byGateway.set(agent.gatewayId, batch);
    }
    const started: Promise<void>[] = [];
    // Earliest deadline first; gateways beyond the lane limit are due again on the next tick.
    for (const [gatewayId, batch] of byGateway) {
      if (lanes.size >= maxLanes) break;
      const lane = runLane(batch).finally(() => lanes.delete(gatewayId));
      lanes.set(gatewayId, lane);
      started.push(lane);
    }
    return Promise.all(started).then(() => undefined);
  }

  return {
    /**
     * One pass over due deadlines; resolves once the wakes it started are done. The timer does not
     * wait for that: a later pass runs while lanes are busy (it skips their gateways).
     */
    tick(): Promise<void> {
      return runTick();
    },
    get lastTickAt(): Date | null {
      return lastTickAt;
    },
    /** A new cycle on request (the operator's "wake"): the ladder starts again at 1. */
    async wake(agentId: string): Promise<void> {
      const owed = await withAgentLock(agentId, async () => {
        db.update(agents).set({ wakeAttempts: 0, lastProvisionError: null, updatedAt: ctx.now() }).where(eq(agents.id, agentId)).run();
        const agent = db.select().from(agents).where(eq(agents.id, agentId)).get();
        if (!agent || agent.provisionAction !== null) return agent ?? null;
        await wakeOnce(agent, 'requested');
        return null;
      });
      // Owed provisioning takes the agent's lock itself, so it runs once ours is released.
      if (owed) await wakeOnce(owed, 'requested');
    },
    /** Re-provision (files, token kept if the workspace holds a valid one, fresh session) and wake: a new cycle. */
    async reprovision(agentId: string): Promise<void> {
      await provisioner.tryProvision(agentId, { action: 'update', wake: true, resetSession: true, newCycle: true });
    },
    start(): void {
      if (timer) return;
      // Failed runs the gateways report (by agent and run) go to the trail as they happen.
      stopWatching = watchGatewayRuns({ db, logger: ctx.logger, manager, now: ctx.now });
      // Provisioning interrupted by a crash (provision_action set, no deadline) is picked up by the ladder.
      db.update(agents)
        .set({ checkinDeadlineAt: ctx.now() })
        .where(and(isNotNull(agents.provisionAction), isNull(agents.checkinDeadlineAt)))
        .run();
      timer = ctx.loops.every(
        'supervisor tick',
        () => {
          this.tick().catch((err: unknown) =>
            log.error('lifecycle.tick_failed', 'supervisor tick failed', { error: (err as Error).message }),
          );
        },
        { intervalMs: tickMs },
      );
      timer.start();
    },
    async stop(): Promise<void> {
      await timer?.stop();
      timer = null;
      stopWatching?.();
      stopWatching = null;
      await Promise.allSettled([...lanes.values()]);
    },
  };
}

export type Supervisor = ReturnType<typeof createSupervisor>;
