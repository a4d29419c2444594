import { eq } from 'drizzle-orm';
import { agents, gateways, type AgentRow } from '../db/schema.js';
import { call } from '../gateway/call.js';
import { GatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import type { Logger } from '../logging.js';
import type { ServiceContext } from '../core/context.js';
import { gatewayAgentKey } from './gateway-agents.js';
import { armWake, clearCheck, type ArmedWake } from '../core/wake-ladder.js';
import { boundedBy } from './bounded-connection.js';
import type { Provisioner } from './provisioner.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';

export interface WakeStepOptions {
  /** Called once the attempt is counted and its check queued (before the gateway is asked). */
  onArmed?: (armed: ArmedWake) => void;
  /** Send the step's wake again (the gateway dropped it): same attempt, a fresh deadline, no re-provisioning. */
  resend?: boolean;
}

/**
 * One wake of the ladder (a ladder retry or an operator's wake). The caller holds the agent's lock.
 *
 * The attempt is counted, its deadline set and its check queued when the wake *starts*, and every
 * gateway request of the step is bounded by that deadline: a hung gateway (each request waiting out
 * its timeout) then costs the agent exactly one attempt per deadline, so "deadline × attempts + one
 * tick" holds for every agent of it. The outcome (sent, failed with the classified reason) follows in
 * the trail. Returns whether the wake reached the gateway.
 */
export function createWakeStep(deps: { ctx: ServiceContext; manager: GatewayManager; provisioner: Provisioner; log: Logger }) {
  const { ctx, manager, provisioner, log } = deps;
  const { db, policy } = ctx;

  return async function wakeStep(agent: AgentRow, why: string, opts: WakeStepOptions = {}): Promise<boolean> {
    const gateway = db.select().from(gateways).where(eq(gateways.id, agent.gatewayId)).get();
    if (!gateway) {
      recordLifecycle(db, log, ctx.now(), 'lifecycle.reconcile.skip_missing_gateway', agent.id, 'the agent’s gateway no longer exists');
      clearCheck(db, agent.id);
      return false;
    }
    const startedAt = ctx.now();
    const armed = db.transaction((tx) =>
      armWake(tx, log, policy, agent, startedAt, startedAt, { how: why, bumpGeneration: true, resend: opts.resend ?? false }),
    );
    opts.onArmed?.(armed);
    // An agent whose provisioning is still owed is provisioned again (that wakes it); the others are just woken.
    if (agent.provisionAction !== null && !opts.resend) {
      const action = agent.provisionAction === 'update' ? 'update' : 'provision';
      const result = await provisioner.tryProvision(agent.id, { action, wake: true, newCycle: false, armed: true, deadlineAt: armed.deadline });
      // A failure is already in the trail (the provisioner's `lifecycle.wake.failed`, with the reason on the record).
      if (result instanceof Error) return false;
      recordLifecycle(db, log, ctx.now(), 'lifecycle.wake.sent', agent.id, `re-provisioned and woken (${why})`, { why, attempt: armed.attempt });
      return true;
    }
    const target = gatewayTarget(gateway);
    try {
      // Even the handshake waits no longer than the step's deadline (a gateway that accepts TCP and never
      // sends its challenge must not stretch the ladder past deadline × attempts).
      const hello = await manager.ready(target, Math.max(250, armed.deadline.getTime() - ctx.now().getTime()), { failFast: true });
      const connection = boundedBy(manager.connection(target), armed.deadline, ctx.now);
      const key = gatewayAgentKey(agent);
      const text = `Mission Control check-in due (${why}): run the check-in command from AGENTS.md now.`;
      const sessionKey = agent.openclawSessionId ?? `agent:${key}:main`;
      const method = hello.methods.includes('wake') ? 'wake' : 'chat.send';
      if (method === 'wake') await call(connection, 'wake', { mode: 'now', text, agentId: key, sessionKey });
      else
        await call(connection, 'chat.send', {
          sessionKey,
          message: text,
          idempotencyKey: `${agent.id}:${agent.lifecycleGeneration + 1}`,
        });
      recordLifecycle(db, log, ctx.now(), 'lifecycle.wake.sent', agent.id, `woken with ${method} (${why})`, {
        method,
        why,
        attempt: armed.attempt,
      });
      return true;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const reason = `Wake failed: ${err.explanation} (${err.detail})`;
      db.update(agents).set({ lastProvisionError: reason, updatedAt: ctx.now() }).where(eq(agents.id, agent.id)).run();
      recordLifecycle(db, log, ctx.now(), 'lifecycle.wake.failed', agent.id, reason, { code: err.code, why, attempt: armed.attempt }, 'warn');
      return false;
    }
  };
}
