/*
 * The schema, one file per concern in schema/; this file is what the app and drizzle-kit read
 * (`npm run db:generate` generates migrations from it). Timestamps are integer milliseconds (UTC) so
 * deadlines can be compared in indexed queries. JSON columns are text with drizzle's json mode.
 */
import type { activityEvents, approvals, boardMemory } from './schema/board-records.js';
import type { agents, boards, gateways } from './schema/fleet.js';
import type { agentMessages, lifecycleEvents, templateDriftMemory } from './schema/lifecycle.js';
import type { tags, tasks } from './schema/work.js';

export * from './schema/fleet.js';
export * from './schema/work.js';
export * from './schema/board-records.js';
export * from './schema/lifecycle.js';
export * from './schema/board-groups.js';
export * from './schema/board-webhooks.js';
export * from './schema/board-onboarding.js';

export type GatewayRow = typeof gateways.$inferSelect;
export type LifecycleEventRow = typeof lifecycleEvents.$inferSelect;
export type BoardRow = typeof boards.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ApprovalRow = typeof approvals.$inferSelect;
export type MemoryRow = typeof boardMemory.$inferSelect;
export type ActivityRow = typeof activityEvents.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type AgentMessageRow = typeof agentMessages.$inferSelect;
export type TemplateDriftMemoryRow = typeof templateDriftMemory.$inferSelect;
