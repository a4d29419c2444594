import { and, count, desc, eq, like, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/open-db.js';
import { lifecycleEvents, type LifecycleEventRow } from '../db/schema.js';
import type { LogEvent, Logger } from '../logging.js';
import { newId } from './ids.js';

/**
 * Record a lifecycle event twice over: as a log line (for people reading logs, with the web
 * edition's names) and as a row (for `/api/v1/logs` and an agent's timeline).
 */
export function recordLifecycle(
  db: DbOrTx,
  logger: Logger,
  now: Date,
  event: LogEvent,
  agentId: string | null,
  message: string,
  data: Record<string, unknown> = {},
  level: 'info' | 'warn' = 'info',
): void {
  db.insert(lifecycleEvents).values({ id: newId(), event, agentId, message, data, createdAt: now }).run();
  logger[level](event, message, { agent_id: agentId, ...data });
}

/** `lifecycle.*` style filters: a trailing `*` matches a prefix. */
export function listLifecycle(db: DbOrTx, query: { event?: string; agentId?: string; limit: number; offset: number }) {
  const eventFilter: SQL | undefined = query.event
    ? query.event.endsWith('*')
      ? like(lifecycleEvents.event, `${query.event.slice(0, -1).replace(/[%_]/g, '')}%`)
      : eq(lifecycleEvents.event, query.event)
    : undefined;
  const where = and(eventFilter, query.agentId ? eq(lifecycleEvents.agentId, query.agentId) : undefined);
  const rows: LifecycleEventRow[] = db
    .select()
    .from(lifecycleEvents)
    .where(where)
    .orderBy(desc(lifecycleEvents.createdAt))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const total = db.select({ n: count() }).from(lifecycleEvents).where(where).get()?.n ?? 0;
  return { rows, total };
}
