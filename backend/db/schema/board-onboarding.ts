import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { boards } from './fleet.js';

/* Board onboarding sessions (#16, the web edition's §1.19), re-exported by schema.ts. */

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const boardOnboardingSessions = sqliteTable('board_onboarding_sessions', {
  id: text('id').primaryKey(),
  boardId: text('board_id')
    .notNull()
    .unique()
    .references(() => boards.id, { onDelete: 'cascade' }),
  /** The gateway main agent's session the onboarding runs in. */
  sessionKey: text('session_key').notNull(),
  status: text('status', { enum: ['active', 'completed', 'confirmed'] })
    .notNull()
    .default('active'),
  messages: text('messages', { mode: 'json' }).$type<{ role: string; content: string; timestamp: string }[]>(),
  draftGoal: text('draft_goal', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export type BoardOnboardingRow = typeof boardOnboardingSessions.$inferSelect;
