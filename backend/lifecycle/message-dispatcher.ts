import { and, asc, eq, min } from 'drizzle-orm';
import { agentMessages, agents, gateways } from '../db/schema.js';
import { call } from '../gateway/call.js';
import { GatewayError } from '../gateway/errors.js';
import { STOPPING_DETAIL, gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { rowid } from '../core/paging.js';
import { gatewayAgentKey } from './gateway-agents.js';
import type { GuardedLoop } from '../core/guarded-loop.js';

/*
 * Delivers the durable agent outbox (assignment notices, review hand-offs, chat, approval results)
 * to agents' sessions with `chat.send`. A message waits while its gateway is unreachable (no attempt
 * is spent), is retried on a gateway error, and is marked failed after `maxAttempts` — each outcome
 * recorded as activity (`<kind>.notified` / `<kind>.notify_failed`). The message id is the
 * idempotency key, so a retry after a lost answer never delivers twice. Each gateway is served in a
 * lane of its own with its own batch, so one gateway that hangs or holds a backlog never starves the others.
 */

export interface DispatcherOptions {
  ctx: ServiceContext;
  manager: GatewayManager;
  intervalMs?: number;
  maxAttempts?: number;
  /** Messages one gateway's lane delivers per pass (oldest first). */
  batchSize?: number;
}

type Pending = { message: typeof agentMessages.$inferSelect; agent: typeof agents.$inferSelect; gateway: typeof gateways.$inferSelect };

export function createMessageDispatcher(options: DispatcherOptions) {
  const { ctx, manager } = options;
  const { db } = ctx;
  const maxAttempts = options.maxAttempts ?? 5;
  const batchSize = options.batchSize ?? 20;
  const log = ctx.logger.child('dispatcher');
  let loop: GuardedLoop | null = null;
  let stopping = false;
  /** Gateway id → its lane of deliveries in flight. */
  const lanes = new Map<string, Promise<void>>();

  /** The gateways with pending messages, the one whose oldest message waits longest first. */
  function gatewaysWithPending(): string[] {
    return db
      .select({ gatewayId: agents.gatewayId, oldest: min(agentMessages.createdAt) })
      .from(agentMessages)
      .innerJoin(agents, eq(agents.id, agentMessages.agentId))
      .where(eq(agentMessages.status, 'pending'))
      .groupBy(agents.gatewayId)
      .orderBy(asc(min(agentMessages.createdAt)))
      .all()
      .map((r) => r.gatewayId);
  }

  function pendingFor(gatewayId: string): Pending[] {
    return db
      .select({ message: agentMessages, agent: agents, gateway: gateways })
      .from(agentMessages)
      .innerJoin(agents, eq(agents.id, agentMessages.agentId))
      .innerJoin(gateways, eq(gateways.id, agents.gatewayId))
      .where(and(eq(agentMessages.status, 'pending'), eq(agents.gatewayId, gatewayId)))
      .orderBy(asc(agentMessages.createdAt), asc(rowid(agentMessages)))
      .limit(batchSize)
      .all();
  }

  async function deliver({ message, agent, gateway }: Pending): Promise<void> {
    const connection = manager.connection(gatewayTarget(gateway));
    if (connection.state !== 'connected') return; // waits for the gateway; no attempt spent
    const sessionKey = agent.openclawSessionId ?? `agent:${gatewayAgentKey(agent)}:main`;
    const now = ctx.now();
    try {
      await call(connection, 'chat.send', {
        sessionKey,
        message: message.message,
        deliver: message.deliver,
        idempotencyKey: message.id,
      });
      db.transaction((tx) => {
        tx.update(agentMessages)
          .set({ status: 'sent', sentAt: now, attempts: message.attempts + 1, lastError: null })
          .where(eq(agentMessages.id, message.id))
          .run();
        recordActivity(tx, now, {
          eventType: `${message.kind}.notified`,
          message: `${agent.name} was sent: ${message.kind}.`,
          agentId: agent.id,
          taskId: message.taskId,
          boardId: message.boardId,
        });
      });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.detail === STOPPING_DETAIL) return; // not the message's fault: delivered after the next start
      const attempts = message.attempts + 1;
      const failed = attempts >= maxAttempts || !err.retryable;
      db.transaction((tx) => {
        tx.update(agentMessages)
          .set({ status: failed ? 'failed' : 'pending', attempts, lastError: `${err.explanation} (${err.detail})` })
          .where(and(eq(agentMessages.id, message.id), eq(agentMessages.status, 'pending')))
          .run();
        if (failed) {
          recordActivity(tx, now, {
            eventType: `${message.kind}.notify_failed`,
            message: `${agent.name}: ${err.explanation}`,
            agentId: agent.id,
            taskId: message.taskId,
            boardId: message.boardId,
          });
        }
      });
      if (failed)
        log.warn('dispatcher.message_failed', 'a message to an agent could not be delivered', {
          agent_id: agent.id,
          kind: message.kind,
          code: err.code,
        });
    }
  }

  /** One gateway's messages, oldest first, one after another (they share one connection). */
  async function runLane(batch: Pending[]): Promise<void> {
    for (const item of batch) if (!stopping) await deliver(item);
  }

  /**
   * One pass: a lane per gateway with pending messages whose previous lane has finished, each with its
   * own batch, side by side. A hung gateway holds up only its own lane; the others are delivered. The
   * queries run synchronously, so a database fault there fails the pass itself (the loop backs off);
   * a lane's fault is reported to the loop. Resolves when the lanes this pass started have finished.
   */
  function tick(): Promise<void> {
    const started: Promise<void>[] = [];
    for (const gatewayId of gatewaysWithPending()) {
      if (lanes.has(gatewayId)) continue;
      const batch = pendingFor(gatewayId);
      if (batch.length === 0) continue;
      const lane = runLane(batch)
        .catch((err: unknown) => {
          log.error('dispatcher.tick_failed', 'outbox pass failed', { gateway_id: gatewayId, error: (err as Error).message });
          loop?.fault(err);
        })
        .finally(() => lanes.delete(gatewayId));
      lanes.set(gatewayId, lane);
      started.push(lane);
    }
    return Promise.all(started).then(() => undefined);
  }

  return {
    tick,
    start(): void {
      if (loop) return;
      // The loop does not wait for the lanes: a later pass serves the gateways whose lane is done.
      loop = ctx.loops.every('message dispatcher', () => void tick(), { intervalMs: options.intervalMs ?? 1_000 });
      loop.start();
    },
    /** No new pass; the lanes in flight are awaited (stop the gateway connections first to end hung ones). */
    async stop(): Promise<void> {
      stopping = true;
      await loop?.stop();
      loop = null;
      await Promise.allSettled([...lanes.values()]);
    },
  };
}

export type MessageDispatcher = ReturnType<typeof createMessageDispatcher>;
