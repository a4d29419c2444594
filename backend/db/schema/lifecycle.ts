import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { bool, created, ts } from './columns.js';
import { agents, boards } from './fleet.js';
import { tasks } from './work.js';

/* What Mission Control keeps about its agents over time: the outbox, the lifecycle trail, remembered drift. */

/**
 * Durable outbox of messages for agents (assignment, review hand-off, chat fan-out, …). The web
 * edition sent them fire-and-forget; here they survive restarts and gateway outages and are
 * delivered by the gateway dispatcher, which records the result.
 */
export const agentMessages = sqliteTable(
  'agent_messages',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    deliver: bool('deliver').notNull().default(false),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    boardId: text('board_id').references(() => boards.id, { onDelete: 'cascade' }),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    createdAt: created(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('agent_messages_status_idx').on(t.status, t.createdAt), index('agent_messages_agent_idx').on(t.agentId)],
);

/**
 * The lifecycle trail (core/lifecycle-trail.ts): every lifecycle log event (the web edition's
 * `lifecycle.*` names), wake, check-in and gateway-side heartbeat, kept queryable for `/api/v1/logs`
 * and an agent's timeline.
 */
export const lifecycleEvents = sqliteTable(
  'lifecycle_events',
  {
    id: text('id').primaryKey(),
    event: text('event').notNull(),
    agentId: text('agent_id'),
    message: text('message').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: created(),
  },
  (t) => [index('lifecycle_events_agent_idx').on(t.agentId, t.createdAt), index('lifecycle_events_event_idx').on(t.event, t.createdAt)],
);

/**
 * The latest known template drift of each agent (docs/architecture.md, "Remembered drift"): from a
 * drift read, a template sync or a provisioning that wrote its files. `fingerprint` is a hash of what
 * a sync would write at that time; when the templates, the agent or its board change it no longer
 * matches and the entry reads as stale. Never a token, never a diff: file names and a token state.
 */
export const templateDriftMemory = sqliteTable('template_drift_memory', {
  agentId: text('agent_id')
    .primaryKey()
    .references(() => agents.id, { onDelete: 'cascade' }),
  checkedAt: ts('checked_at').notNull(),
  source: text('source', { enum: ['drift_read', 'sync', 'provision'] }).notNull(),
  fingerprint: text('fingerprint').notNull(),
  /** match / mismatch / missing; null when it was not read. */
  token: text('token', { enum: ['match', 'mismatch', 'missing'] }),
  /** Files a sync would rewrite (changed on the gateway or missing); null when they were not read. */
  filesChanged: text('files_changed', { mode: 'json' }).$type<string[]>(),
  /** Why the workspace could not be read (redacted). */
  error: text('error'),
});
