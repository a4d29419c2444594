import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { bool, created, ts, updated } from './columns.js';
import { agents, boards } from './fleet.js';

/* The work on a board: tasks, their dependencies and tags. */

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description'),
    status: text('status', { enum: ['inbox', 'in_progress', 'review', 'done'] })
      .notNull()
      .default('inbox'),
    priority: text('priority').notNull().default('medium'),
    dueAt: ts('due_at'),
    inProgressAt: ts('in_progress_at'),
    previousInProgressAt: ts('previous_in_progress_at'),
    createdByUserId: text('created_by_user_id'),
    assignedAgentId: text('assigned_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    autoCreated: bool('auto_created').notNull().default(false),
    autoReason: text('auto_reason'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('tasks_board_idx').on(t.boardId, t.createdAt),
    index('tasks_status_idx').on(t.status),
    index('tasks_assignee_idx').on(t.assignedAgentId),
  ],
);

export const taskDependencies = sqliteTable(
  'task_dependencies',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    dependsOnTaskId: text('depends_on_task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    createdAt: created(),
  },
  (t) => [
    uniqueIndex('task_dependencies_uq').on(t.taskId, t.dependsOnTaskId),
    index('task_dependencies_dep_idx').on(t.dependsOnTaskId),
    check('task_dependencies_not_self', sql`${t.taskId} <> ${t.dependsOnTaskId}`),
  ],
);

export const tags = sqliteTable(
  'tags',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    color: text('color').notNull().default('9e9e9e'),
    description: text('description'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('tags_slug_uq').on(t.slug)],
);

export const tagAssignments = sqliteTable(
  'tag_assignments',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    tagId: text('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    createdAt: created(),
  },
  (t) => [uniqueIndex('tag_assignments_uq').on(t.taskId, t.tagId), index('tag_assignments_tag_idx').on(t.tagId)],
);
