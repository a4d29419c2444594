import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import { agents, type AgentRow } from '../db/schema.js';
import type { GatewayManager } from '../gateway/manager.js';
import type { ServiceContext } from '../core/context.js';
import { checkedInSinceWake, decide, type Decision } from './decide.js';
import { agentForGatewayKey, droppedWakeOf, watchGatewayRuns } from './gateway-runs.js';
import type { Provisioner } from './provisioner.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';
import { agentLockBusy, withAgentLock } from '../core/agent-lock.js';
import type { GuardedLoop } from '../core/guarded-loop.js';
import { clearCheck, deferCheck, giveUp, joinCycle, queueInterrupted, recordWorkerSuccess, restartCycle } from '../core/wake-ladder.js';
import { offlineReason } from '../core/wake-ladder-reasons.js';
import { createWakeStep } from './ladder-wake.js';

/*
 * The wake ladder's tick. The ladder lives in the agents table (wake_attempts, last_wake_sent_at,
 * checkin_deadline_at) next to its queued check (reconcile_at), written only through
 * core/wake-ladder.ts: a tick picks the checks
 * that are due with an indexed query and applies `decide()` — the web edition's reconcile worker, with
 * its event names: a check before the deadline defers to it, one after it wakes again or gives up.
 * Nothing is kept only in memory, so a restart resumes every ladder where it stood. A wake counts when
 * it starts and none of its gateway requests outlives its deadline, so every agent — a hung gateway's
 * too — ends online or offline-with-reason within deadline × attempts plus one tick; never stuck.
 *
 * Wakes run side by side, one per agent at a time (an agent with a wake in flight is left out of the
 * due query) and at most `maxWakesPerGateway` per gateway, so a hung gateway holds up only its own
 * agents, and none of them longer than its deadline. The per-agent lock (re-entrant, held through an
 * owed re-provisioning) is the guard against an operator's wake racing a retry.
 */

export interface WakeLadderDeps {
  ctx: ServiceContext;
  manager: GatewayManager;
  provisioner: Provisioner;
  tickMs?: number;
  /** Wakes in flight per gateway (default 8); further due agents of it wait for a later tick. */
  maxWakesPerGateway?: number;
}

export function createWakeLadder(deps: WakeLadderDeps) {
  const { ctx, manager, provisioner } = deps;
  const { db, policy } = ctx;
  const log = ctx.logger.child('lifecycle');
  const tickMs = deps.tickMs ?? Math.min(1_000, Math.max(50, Math.round(policy.checkinDeadlineMs / 10)));
  const maxPerGateway = Math.max(1, deps.maxWakesPerGateway ?? 8);
  const wakeStep = createWakeStep({ ctx, manager, provisioner, log });
  let timer: GuardedLoop | null = null;
  let stopWatching: (() => void) | null = null;
  let lastTickAt: Date | null = null;
  /** Agent id → its retry in flight (and the agent's gateway). */
  const inFlight = new Map<string, { gatewayId: string; done: Promise<void> }>();
  /** Agent id → the ladder step (its wake time) already re-sent once after the gateway dropped it. */
  const resent = new Map<string, number>();
  /** Operator wakes answered before they finished (POST /wake answers at once). */
  const background = new Set<Promise<void>>();

  // Agents with a wake in flight are left out (`busy`: a JSON array of agent ids).
  const due = db
    .select()
    .from(agents)
    .where(
      and(
        isNotNull(agents.reconcileAt),
        lte(agents.reconcileAt, sql.placeholder('now')),
        sql`${agents.id} NOT IN (SELECT value FROM json_each(${sql.placeholder('busy')}))`,
      ),
    )
    .orderBy(asc(agents.reconcileAt))
    .limit(200)
    .prepare();

  /** Apply a decision that only writes (no gateway call); the check's task ends here. */
  function applyDecision(agent: AgentRow, decision: Exclude<Decision, { kind: 'retriggered' }>, now: Date): void {
    switch (decision.kind) {
      case 'skip_not_stuck':
        clearCheck(db, agent.id, { now, resetAttempts: true });
        recordLifecycle(
          db,
          log,
          now,
          'lifecycle.reconcile.skip_not_stuck',
          agent.id,
          `checked in at ${agent.lastSeenAt?.toISOString() ?? '?'}, after the wake at ${agent.lastWakeSentAt?.toISOString() ?? '?'}: not stuck`,
        );
        recordWorkerSuccess(db, log, now, agent.id, 'reconcile: not stuck');
        return;
      case 'skip_deleting':
        clearCheck(db, agent.id, { now });
        recordLifecycle(db, log, now, 'lifecycle.reconcile.skip_deleting', agent.id, 'agent is being deleted');
        return;
      case 'deferred': {
        const until = new Date(decision.untilMs);
        deferCheck(db, agent.id, until);
        const delay = (decision.untilMs - now.getTime()) / 1000;
        recordLifecycle(
          db,
          log,
          now,
          'lifecycle.reconcile.deferred',
          agent.id,
          `no check-in yet after wake ${agent.wakeAttempts}; deadline not reached: check re-queued for ${until.toISOString()} (${delay} s)`,
          { delay_seconds: delay, attempt: agent.wakeAttempts },
        );
        recordWorkerSuccess(db, log, now, agent.id, 'reconcile: deferred');
        return;
      }
      case 'max_attempts_reached': {
        const reason = offlineReason(db, policy, agent);
        giveUp(db, agent.id, reason, now);
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
        recordWorkerSuccess(db, log, now, agent.id, 'reconcile: offline after the last wake');
        return;
      }
    }
  }

  /**
   * Wake again — under the agent's lock, after reading the row again: if an operator's wake, a
   * provisioning or a check-in got there first, this retry is stale and is dropped. The lock is held
   * through an owed re-provisioning, so nothing can wake the agent in between.
   */
  function retrigger(snapshot: AgentRow): Promise<void> {
    return withAgentLock(snapshot.id, async () => {
      const now = ctx.now();
      const agent = db.select().from(agents).where(eq(agents.id, snapshot.id)).get();
      if (!agent) {
        recordLifecycle(db, log, now, 'lifecycle.reconcile.skip_missing_agent', snapshot.id, 'the agent was deleted');
        return;
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
          { queued_generation: snapshot.lifecycleGeneration, current_generation: agent.lifecycleGeneration },
        );
        return;
      }
      const why = `retry ${decision.attempt}/${policy.maxWakeAttempts}`;
      recordLifecycle(
        db,
        log,
        now,
        'lifecycle.reconcile.retriggered',
        agent.id,
        `no check-in by the deadline: wake ${decision.attempt} of ${policy.maxWakeAttempts}`,
        { attempt: decision.attempt },
      );
      // Success only when the wake reached the gateway: a failed one is `lifecycle.wake.failed`.
      if (await wakeStep(agent, why)) recordWorkerSuccess(db, log, ctx.now(), agent.id, `reconcile: ${why} sent`);
    });
  }

  /** Applies what is due; resolves once the wakes this pass started have finished. */
  function runTick(): Promise<void> {
    lastTickAt = ctx.now();
    const now = lastTickAt;
    const busy = JSON.stringify([...inFlight.keys()]);
    const decided = due.all({ now: now.getTime(), busy }).map((agent) => ({ agent, decision: decide(agent, now.getTime(), policy) }));
    // Decisions that only write (offline, skips, deferrals) share one transaction: a burst of agents
    // giving up at once costs one commit, not one per agent. Wakes go to the gateways afterwards.
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
    const perGateway = new Map<string, number>();
    for (const { gatewayId } of inFlight.values()) perGateway.set(gatewayId, (perGateway.get(gatewayId) ?? 0) + 1);
    const started: Promise<void>[] = [];
    // Earliest check first; a gateway's agents beyond its limit are due again on the next tick.
    for (const { agent, decision } of decided) {
      if (decision.kind !== 'retriggered') continue;
      const n = perGateway.get(agent.gatewayId) ?? 0;
      if (n >= maxPerGateway) continue;
      perGateway.set(agent.gatewayId, n + 1);
      const done = retrigger(agent)
        .catch((err: unknown) =>
          log.error('lifecycle.tick_failed', 'reconcile failed', { agent_id: agent.id, error: (err as Error).message }),
        )
        .finally(() => inFlight.delete(agent.id));
      inFlight.set(agent.id, { gatewayId: agent.gatewayId, done });
      started.push(done);
    }
    return Promise.all(started).then(() => undefined);
  }

  /**
   * The gateway accepted a wake and dropped it before running it (gateway-runs.ts `droppedWakeOf`):
   * recorded, and sent again as the same attempt with a fresh deadline — the agent never saw it. Once
   * per ladder step: a wake dropped again counts as the attempt it is.
   */
  function resendDropped(gatewayId: string, gatewayAgentId: string, reason: string): Promise<void> | undefined {
    const found = agentForGatewayKey(db, gatewayId, gatewayAgentId);
    if (!found) return undefined;
    return withAgentLock(found.id, async () => {
      const agent = db.select().from(agents).where(eq(agents.id, found.id)).get();
      if (!agent || agent.checkinDeadlineAt === null || checkedInSinceWake(agent)) return; // no ladder waits on that wake
      const step = agent.lastWakeSentAt?.getTime() ?? 0;
      const again = resent.get(agent.id) === step;
      recordLifecycle(
        db,
        log,
        ctx.now(),
        'lifecycle.wake.dropped',
        agent.id,
        `the gateway dropped wake ${agent.wakeAttempts} before running it (${reason}); ${again ? 'dropped again: it counts as the attempt' : 're-sent, not counted'}`,
        { gateway_id: gatewayId, attempt: agent.wakeAttempts, resent: !again },
        'warn',
      );
      if (again) return;
      await wakeStep(agent, `re-sent after the gateway dropped it`, {
        resend: true,
        onArmed: (armed) => resent.set(agent.id, armed.deadline.getTime() - policy.checkinDeadlineMs),
      });
      if (resent.size > 1_000) resent.delete(resent.keys().next().value!);
    });
  }

  /** A new cycle on request: the ladder starts again at 1 (see `wake`). */
  function operatorWake(agentId: string, onArmed?: () => void): Promise<void> {
    const asked = db.select({ generation: agents.lifecycleGeneration }).from(agents).where(eq(agents.id, agentId)).get();
    return withAgentLock(agentId, async () => {
      const agent = db.select().from(agents).where(eq(agents.id, agentId)).get();
      if (!agent) return;
      // A retry that held the lock when the operator asked has just woken the agent: that wake is the
      // one asked for. It starts the new cycle (counted once) instead of a second wake.
      if (asked && agent.lifecycleGeneration !== asked.generation && agent.checkinDeadlineAt !== null) {
        joinCycle(db, agentId, ctx.now());
        recordLifecycle(
          db,
          log,
          ctx.now(),
          'lifecycle.wake.joined',
          agentId,
          'operator wake joined the wake just sent; a new cycle starts at 1',
        );
        return;
      }
      restartCycle(db, agentId, ctx.now());
      await wakeStep({ ...agent, wakeAttempts: 0, lastProvisionError: null }, 'requested', { onArmed });
    });
  }

  return {
    /**
     * One pass over due checks; resolves once the wakes it started are done. The timer does not
     * wait for that: a later pass runs while wakes are in flight (it skips their agents).
     */
    tick(): Promise<void> {
      return runTick();
    },
    get lastTickAt(): Date | null {
      return lastTickAt;
    },
    /** The operator's wake, to its end (the doctor's fix waits for it). */
    wake(agentId: string): Promise<void> {
      return operatorWake(agentId);
    },
    /**
     * The operator's wake for `POST /agents/{id}/wake`: resolves as soon as the attempt is counted
     * (at once when nothing else holds the agent), never waiting for the gateway; the outcome follows
     * on the event stream and in the trail.
     */
    requestWake(agentId: string): Promise<void> {
      const waitForArming = !agentLockBusy(agentId);
      let armed!: () => void;
      const counted = new Promise<void>((resolve) => (armed = resolve));
      const done: Promise<void> = operatorWake(agentId, armed)
        .catch((err: unknown) =>
          log.error('lifecycle.tick_failed', 'operator wake failed', { agent_id: agentId, error: (err as Error).message }),
        )
        .finally(() => {
          armed();
          background.delete(done);
        });
      background.add(done);
      return waitForArming ? counted : Promise.resolve();
    },
    /** Re-provision (files, token kept if the workspace holds a valid one, fresh session) and wake: a new cycle. */
    async reprovision(agentId: string): Promise<void> {
      await provisioner.tryProvision(agentId, { action: 'update', wake: true, resetSession: true, newCycle: true });
    },
    start(): void {
      if (timer) return;
      // Failed runs the gateways report (by agent and run) go to the trail as they happen.
      const stopRuns = watchGatewayRuns({ db, logger: ctx.logger, manager, now: ctx.now });
      const stopDrops = manager.onEvent((gatewayId, event, payload) => {
        const dropped = droppedWakeOf(event, payload);
        if (!dropped) return;
        const done = resendDropped(gatewayId, dropped.gatewayAgentId, dropped.reason)
          ?.catch((err: unknown) =>
            log.error('lifecycle.tick_failed', 're-sending a dropped wake failed', { error: (err as Error).message }),
          )
          .finally(() => background.delete(done!));
        if (done) background.add(done);
      });
      stopWatching = () => {
        stopRuns();
        stopDrops();
      };
      // Provisioning interrupted by a crash (provision_action set, no deadline) is picked up by the ladder.
      queueInterrupted(db, ctx.now());
      timer = ctx.loops.every(
        'wake ladder tick',
        () => {
          this.tick().catch((err: unknown) => {
            log.error('lifecycle.tick_failed', 'wake ladder tick failed', { error: (err as Error).message });
            timer?.fault(err); // the doctor's runtime.loops (and disk.full) see it; the next pass backs off
          });
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
      await Promise.allSettled([...[...inFlight.values()].map((w) => w.done), ...background]);
    },
  };
}

export type WakeLadder = ReturnType<typeof createWakeLadder>;
