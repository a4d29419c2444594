import { activityEvents, agentMessages } from '../db/schema.js';
import type { DbOrTx } from '../db/open-db.js';
import { newId } from './ids.js';

/*
 * The activity log's writers: the feed (activity_events) and the agents' outbox (agent_messages).
 * Services and lifecycle both append to them, inside the caller's transaction when given one.
 */

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
