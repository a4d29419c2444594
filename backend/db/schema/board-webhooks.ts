import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents, boards } from './fleet.js';

/*
 * Inbound board webhooks and the payloads they received (#16, the web edition's §1.20 and §1.21),
 * re-exported by schema.ts. The secret is kept to verify signatures and never read back.
 */

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const boardWebhooks = sqliteTable(
  'board_webhooks',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    /** The agent told about each delivery; null: the board's lead. */
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    description: text('description').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    secret: text('secret'),
    signatureHeader: text('signature_header'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('board_webhooks_board_idx').on(t.boardId)],
);

export const boardWebhookPayloads = sqliteTable(
  'board_webhook_payloads',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    webhookId: text('webhook_id')
      .notNull()
      .references(() => boardWebhooks.id, { onDelete: 'cascade' }),
    payload: text('payload', { mode: 'json' }).$type<unknown>(),
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>(),
    sourceIp: text('source_ip'),
    contentType: text('content_type'),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [index('board_webhook_payloads_webhook_idx').on(t.webhookId, t.receivedAt)],
);

export type BoardWebhookRow = typeof boardWebhooks.$inferSelect;
export type BoardWebhookPayloadRow = typeof boardWebhookPayloads.$inferSelect;
