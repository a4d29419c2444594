import { and, count, desc, eq } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import { activityEvents } from '../db/schema.js';
import { toActivityRead } from './serialize.js';
import type { DbOrTx } from '../db/open-db.js';
import { pageOf, rowid } from '../core/paging.js';

type Db = DbOrTx;

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
