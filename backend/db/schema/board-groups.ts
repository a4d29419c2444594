import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents } from './fleet.js';

/*
 * Board groups and their shared memory (#16, the web edition's §1.10 and §1.18), in their own file so
 * schema/ stays one file per concern; schema.ts re-exports this module, so drizzle-kit sees it.
 * `boards.board_group_id` (in fleet.ts) points here.
 */

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const boardGroups = sqliteTable(
  'board_groups',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('board_groups_slug_idx').on(t.slug)],
);

/** The group's shared notes and chat; the same shape and authorship rules as board memory. */
export const boardGroupMemory = sqliteTable(
  'board_group_memory',
  {
    id: text('id').primaryKey(),
    boardGroupId: text('board_group_id')
      .notNull()
      .references(() => boardGroups.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>(),
    isChat: integer('is_chat', { mode: 'boolean' }).notNull().default(false),
    /** The writer's display name; for an agent always its own (from the token). */
    source: text('source'),
    author: text('author', { enum: ['user', 'agent'] })
      .notNull()
      .default('user'),
    authorAgentId: text('author_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('board_group_memory_group_idx').on(t.boardGroupId, t.isChat, t.createdAt)],
);

export type BoardGroupRow = typeof boardGroups.$inferSelect;
export type BoardGroupMemoryRow = typeof boardGroupMemory.$inferSelect;
