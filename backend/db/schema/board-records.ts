import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { bool, created, ts } from './columns.js';
import { agents, boards } from './fleet.js';
import { tasks } from './work.js';

/* What happens on a board: the activity feed, approvals, chat and notes. */

/** Activity feed; task comments are rows with `event_type = 'task.comment'` (as in the web edition). */
export const activityEvents = sqliteTable(
  'activity_events',
  {
    id: text('id').primaryKey(),
    eventType: text('event_type').notNull(),
    message: text('message'),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    boardId: text('board_id').references(() => boards.id, { onDelete: 'cascade' }),
    createdAt: created(),
  },
  (t) => [
    index('activity_created_idx').on(t.createdAt),
    index('activity_task_idx').on(t.taskId, t.eventType, t.createdAt),
    index('activity_board_idx').on(t.boardId, t.createdAt),
    index('activity_agent_idx').on(t.agentId),
  ],
);

export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    actionType: text('action_type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>(),
    confidence: real('confidence').notNull(),
    rubricScores: text('rubric_scores', { mode: 'json' }).$type<Record<string, number>>(),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] })
      .notNull()
      .default('pending'),
    createdAt: created(),
    resolvedAt: ts('resolved_at'),
  },
  (t) => [index('approvals_board_idx').on(t.boardId, t.status), index('approvals_task_idx').on(t.taskId)],
);

export const approvalTaskLinks = sqliteTable(
  'approval_task_links',
  {
    id: text('id').primaryKey(),
    approvalId: text('approval_id')
      .notNull()
      .references(() => approvals.id, { onDelete: 'cascade' }),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    createdAt: created(),
  },
  (t) => [uniqueIndex('approval_task_links_uq').on(t.approvalId, t.taskId), index('approval_task_links_task_idx').on(t.taskId)],
);

/** Board chat (`is_chat`) and durable notes. */
export const boardMemory = sqliteTable(
  'board_memory',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>(),
    isChat: bool('is_chat').notNull().default(false),
    /** The display name of the writer. For an agent, always its own name (never what the body said). */
    source: text('source'),
    /** Who wrote it, from the credential: the local user or an agent (`author_agent_id`, kept null once that agent is deleted). */
    author: text('author', { enum: ['user', 'agent'] })
      .notNull()
      .default('user'),
    authorAgentId: text('author_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: created(),
  },
  (t) => [index('board_memory_board_idx').on(t.boardId, t.isChat, t.createdAt)],
);
