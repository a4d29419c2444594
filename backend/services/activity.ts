import { and, count, desc, eq } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import { activityEvents, agentMessages } from '../db/schema.js';
import { toActivityRead } from './serialize.js';
import type { DbOrTx } from '../db/open-db.js';
import { newId } from './context.js';
import { pageOf, rowid } from './paging.js';

type Db = DbOrTx;

export interface ActivityInput {
  eventType: string;
  message?: string | null;
  agentId?: string | null;
  taskId?: string | null;
  boardId?: string | null;
}

/** Append to the activity feed (inside the caller's transaction when given one). */
export function recordActivity(db: Db, now: Date, input: ActivityInput) {
  const row = {
    id: newId(),
    eventType: input.eventType,
    message: input.message ?? null,
    agentId: input.agentId ?? null,
    taskId: input.taskId ?? null,
    boardId: input.boardId ?? null,
    createdAt: now,
  };
  db.insert(activityEvents).values(row).run();
  return row;
}

export interface AgentMessageInput {
  agentId: string;
  kind: string;
  message: string;
  deliver?: boolean;
  boardId?: string | null;
  taskId?: string | null;
}

/**
 * Queue a message for an agent's session in the durable outbox; the gateway dispatcher delivers
 * it and records `<kind>.notified` / `.notify_failed` activity.
 */
export function enqueueAgentMessage(db: Db, now: Date, input: AgentMessageInput) {
  const row = {
    id: newId(),
    agentId: input.agentId,
    kind: input.kind,
    message: input.message,
    deliver: input.deliver ?? false,
    status: 'pending' as const,
    attempts: 0,
    lastError: null,
    boardId: input.boardId ?? null,
    taskId: input.taskId ?? null,
    createdAt: now,
    sentAt: null,
  };
  db.insert(agentMessages).values(row).run();
  return row;
}

export interface ActivityQuery extends PageQuery {
  board_id?: string | undefined;
  agent_id?: string | undefined;
  task_id?: string | undefined;
  event_type?: string | undefined;
}

export function createActivityService(db: Db) {
  return {
    /** Newest first. `onlyAgentId` scopes an agent caller to its own events (web-edition rule). */
    list(query: ActivityQuery, onlyAgentId?: string) {
      const where = and(
        onlyAgentId ? eq(activityEvents.agentId, onlyAgentId) : undefined,
        query.board_id ? eq(activityEvents.boardId, query.board_id) : undefined,
        query.agent_id ? eq(activityEvents.agentId, query.agent_id) : undefined,
        query.task_id ? eq(activityEvents.taskId, query.task_id) : undefined,
        query.event_type ? eq(activityEvents.eventType, query.event_type) : undefined,
      );
      const total = db.select({ n: count() }).from(activityEvents).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(activityEvents)
        .where(where)
        .orderBy(desc(activityEvents.createdAt), desc(rowid(activityEvents)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(toActivityRead), total, query);
    },
  };
}
