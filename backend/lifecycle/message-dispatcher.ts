import { and, asc, eq } from 'drizzle-orm';
import { agentMessages, agents, gateways } from '../db/schema.js';
import { GatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { recordActivity } from '../services/activity.js';
import type { ServiceContext } from '../services/context.js';
import { rowid } from '../services/paging.js';
import { gatewayAgentKey } from './gateway-agents.js';

/*
 * Delivers the durable agent outbox (assignment notices, review hand-offs, chat, approval results)
 * to agents' sessions with `chat.send`. A message waits while its gateway is unreachable (no attempt
 * is spent), is retried on a gateway error, and is marked failed after `maxAttempts` — each outcome
 * recorded as activity (`<kind>.notified` / `<kind>.notify_failed`). The message id is the
 * idempotency key, so a retry after a lost answer never delivers twice.
 */

export interface DispatcherOptions {
  ctx: ServiceContext;
  manager: GatewayManager;
  intervalMs?: number;
  maxAttempts?: number;
  batchSize?: number;
}

export function createMessageDispatcher(options: DispatcherOptions) {
  const { ctx, manager } = options;
  const { db } = ctx;
  const maxAttempts = options.maxAttempts ?? 5;
  const log = ctx.logger.child('dispatcher');
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;

  function pending() {
    return db
      .select({ message: agentMessages, agent: agents, gateway: gateways })
      .from(agentMessages)
      .innerJoin(agents, eq(agents.id, agentMessages.agentId))
      .innerJoin(gateways, eq(gateways.id, agents.gatewayId))
      .where(eq(agentMessages.status, 'pending'))
      .orderBy(asc(agentMessages.createdAt), asc(rowid(agentMessages)))
      .limit(options.batchSize ?? 50)
      .all();
  }

  async function deliverAll(): Promise<void> {
    for (const { message, agent, gateway } of pending()) {
      const target = gatewayTarget(gateway);
      const connection = manager.connection(target);
      if (connection.state !== 'connected') continue; // waits for the gateway; no attempt spent
      const sessionKey = agent.openclawSessionId ?? `agent:${gatewayAgentKey(agent)}:main`;
      const now = ctx.now();
      try {
        await connection.request('chat.send', {
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
  }

  /** One pass over the outbox (never two at once). */
  function tick(): Promise<void> {
    inFlight ??= deliverAll()
      .catch((err: unknown) => log.error('dispatcher.tick_failed', 'outbox pass failed', { error: (err as Error).message }))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  return {
    tick,
    start(): void {
      if (timer) return;
      timer = setInterval(() => void tick(), options.intervalMs ?? 1_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
    },
  };
}

export type MessageDispatcher = ReturnType<typeof createMessageDispatcher>;
