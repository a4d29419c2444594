import type Database from 'better-sqlite3';
import { RETENTION_TABLES, type RetentionRun, type RetentionTable } from './contract/storage.js';
import type { Logger } from './logging.js';

/*
 * Retention: the tables that grow with use (the lifecycle trail, activity, the outbox, board chat,
 * agent-auth failures) keep `days` of history. What the app still needs is never deleted, whatever
 * its age:
 * - each agent's latest KEEP_LIFECYCLE_PER_AGENT lifecycle events (its timeline, the doctor's evidence,
 *   the latest run failure the ladder's explanation reads);
 * - outbox messages not delivered yet (`pending`): the dispatcher still owes them;
 * - task comments (activity rows of type `task.comment`: they are the task's content, not history);
 * - board notes (non-chat memory), and the latest `/pause` or `/resume` of each board's chat (it decides
 *   whether the board is paused).
 * Agent-auth failures keep at most AUTH_FAILURE_DAYS (the doctor's token-drift evidence is recent).
 * Deletes run in batches, so no single statement holds the write lock long.
 */

export const DEFAULT_RETENTION_DAYS = 30;
export const KEEP_LIFECYCLE_PER_AGENT = 50;
export const AUTH_FAILURE_DAYS = 7;
export const RETENTION_INTERVAL_MS = 3_600_000;
const BATCH = 5000;
const DAY_MS = 86_400_000;

export const RETENTION_KEEPS = [
  `each agent's latest ${KEEP_LIFECYCLE_PER_AGENT} lifecycle events`,
  'messages to agents not delivered yet',
  'task comments',
  'board notes, and the latest /pause or /resume of each board',
  `agent-auth failures: at most ${AUTH_FAILURE_DAYS} days`,
];

/** One batched delete per table: each statement deletes rows older than the cutoff (ms), at most BATCH of them. */
const DELETES: Record<RetentionTable, string> = {
  lifecycle_events: `DELETE FROM lifecycle_events WHERE rowid IN (
      SELECT rowid FROM (
        SELECT rowid, created_at, ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY created_at DESC, rowid DESC) AS rn FROM lifecycle_events
      ) WHERE rn > ${KEEP_LIFECYCLE_PER_AGENT} AND created_at < @cutoff LIMIT ${BATCH})`,
  activity_events: `DELETE FROM activity_events WHERE rowid IN (
      SELECT rowid FROM activity_events WHERE created_at < @cutoff AND event_type <> 'task.comment' LIMIT ${BATCH})`,
  agent_messages: `DELETE FROM agent_messages WHERE rowid IN (
      SELECT rowid FROM agent_messages WHERE created_at < @cutoff AND status <> 'pending' LIMIT ${BATCH})`,
  board_memory: `DELETE FROM board_memory WHERE rowid IN (
      SELECT rowid FROM board_memory WHERE is_chat = 1 AND created_at < @cutoff AND rowid NOT IN (
        SELECT rowid FROM (
          SELECT rowid, ROW_NUMBER() OVER (PARTITION BY board_id ORDER BY created_at DESC, rowid DESC) AS rn
          FROM board_memory WHERE is_chat = 1 AND lower(trim(content)) IN ('/pause', '/resume')
        ) WHERE rn = 1
      ) LIMIT ${BATCH})`,
  agent_auth_failures: `DELETE FROM agent_auth_failures WHERE rowid IN (
      SELECT rowid FROM agent_auth_failures WHERE last_at < @cutoff LIMIT ${BATCH})`,
};

export interface RetentionDeps {
  sqlite: Database.Database;
  now: () => Date;
  logger: Logger;
  /** Read at every run: a change on the Settings page applies to the next one. */
  days: () => number;
}

export function createRetention(deps: RetentionDeps) {
  const log = deps.logger.child('retention');
  const statements = Object.fromEntries(RETENTION_TABLES.map((t) => [t, deps.sqlite.prepare(DELETES[t])])) as Record<
    RetentionTable,
    Database.Statement
  >;
  let lastRun: RetentionRun | null = null;

  return {
    /** Delete what is past the horizon (never what is protected). Never throws: a failure is in the result and the log. */
    run(): RetentionRun {
      const at = deps.now();
      const days = deps.days();
      const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as Record<RetentionTable, number>;
      let error: string | null = null;
      try {
        for (const table of RETENTION_TABLES) {
          const horizon = table === 'agent_auth_failures' ? Math.min(days, AUTH_FAILURE_DAYS) : days;
          const cutoff = at.getTime() - horizon * DAY_MS;
          for (;;) {
            const n = statements[table].run({ cutoff }).changes;
            deleted[table] += n;
            if (n < BATCH) break;
          }
        }
      } catch (err) {
        error = (err as Error).message;
        log.error('retention.failed', 'retention stopped; it is tried again at the next run', { error, deleted });
      }
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) log.info('retention.pruned', `deleted ${total} row(s) older than ${days} day(s)`, { days, deleted });
      lastRun = { at: at.toISOString(), deleted, error };
      return lastRun;
    },
    lastRun: (): RetentionRun | null => lastRun,
  };
}

export type Retention = ReturnType<typeof createRetention>;

/** Rows per growing table (the Settings page and the doctor). */
export function tableSizes(sqlite: Database.Database): { table: RetentionTable; rows: number }[] {
  return RETENTION_TABLES.map((table) => ({
    table,
    rows: (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
  }));
}
