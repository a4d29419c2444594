import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
// Board groups live in their own file (#16); re-exported so drizzle-kit and importers see one schema.
import { boardGroups } from './schema-board-groups.js';
export * from './schema-board-groups.js';
export * from './schema-board-webhooks.js';
export * from './schema-board-onboarding.js';

/*
 * One schema file; migrations are generated from it by drizzle-kit (`npm run db:generate`).
 * Timestamps are integer milliseconds (UTC) so deadlines can be compared in indexed queries.
 * JSON columns are text with drizzle's json mode.
 */

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
const created = () => ts('created_at').notNull();
const updated = () => ts('updated_at').notNull();
const bool = (name: string) => integer(name, { mode: 'boolean' });

export const gateways = sqliteTable('gateways', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  /** The gateway's auth token. Never returned by reads (`has_token`). */
  token: text('token'),
  workspaceRoot: text('workspace_root').notNull(),
  disableDevicePairing: bool('disable_device_pairing').notNull().default(false),
  allowInsecureTls: bool('allow_insecure_tls').notNull().default(false),
  /**
   * The SHA-256 fingerprint of the TLS certificate the user chose to trust for this gateway (`AB:CD:…`).
   * When set, a wss connection accepts exactly this certificate instead of CA verification.
   */
  tlsFingerprint: text('tls_fingerprint'),
  /** The device token the gateway issued to Mission Control's device identity (secret; never read out). */
  deviceToken: text('device_token'),
  /** What the gateway said about itself at the last successful connect. */
  serverVersion: text('server_version'),
  protocolVersion: integer('protocol_version'),
  features: text('features', { mode: 'json' }).$type<{ methods: string[]; events: string[]; capabilities: string[] }>(),
  lastConnectedAt: ts('last_connected_at'),
  /** The last classified connection failure: `{code, message, next_step, detail}`. */
  lastError: text('last_error', { mode: 'json' }).$type<{
    code: string;
    message: string;
    next_step: string;
    detail: string;
    /** tls: the certificate the gateway presented (public). */
    certificate?: { fingerprint_sha256: string; subject: string; issuer: string; valid_from: string; valid_to: string; self_signed: boolean };
    at: string;
  }>(),
  createdAt: created(),
  updatedAt: updated(),
});

export const boards = sqliteTable(
  'boards',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description').notNull().default(''),
    gatewayId: text('gateway_id').references(() => gateways.id, { onDelete: 'restrict' }),
    boardType: text('board_type', { enum: ['goal', 'general'] })
      .notNull()
      .default('goal'),
    objective: text('objective'),
    successMetrics: text('success_metrics', { mode: 'json' }).$type<Record<string, unknown>>(),
    targetDate: ts('target_date'),
    goalConfirmed: bool('goal_confirmed').notNull().default(false),
    goalSource: text('goal_source'),
    requireApprovalForDone: bool('require_approval_for_done').notNull().default(true),
    requireReviewBeforeDone: bool('require_review_before_done').notNull().default(false),
    commentRequiredForReview: bool('comment_required_for_review').notNull().default(false),
    blockStatusChangesWithPendingApproval: bool('block_status_changes_with_pending_approval').notNull().default(false),
    onlyLeadCanChangeStatus: bool('only_lead_can_change_status').notNull().default(false),
    maxAgents: integer('max_agents').notNull().default(1),
    boardGroupId: text('board_group_id').references((): AnySQLiteColumn => boardGroups.id, { onDelete: 'set null' }),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('boards_gateway_idx').on(t.gatewayId), index('boards_slug_idx').on(t.slug)],
);

export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(),
    /** null ⇒ the gateway's main agent. */
    boardId: text('board_id').references(() => boards.id, { onDelete: 'restrict' }),
    gatewayId: text('gateway_id')
      .notNull()
      .references(() => gateways.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    status: text('status').notNull().default('provisioning'),
    openclawSessionId: text('openclaw_session_id'),
    /**
     * `sha256$<hex>` of the raw token. Tokens are 256 random bits, so a fast hash is enough to make a
     * stolen database useless, and it allows the indexed lookup below (the web edition verified a
     * 200k-round PBKDF2 against every agent on every request).
     */
    agentTokenHash: text('agent_token_hash'),
    heartbeatConfig: text('heartbeat_config', { mode: 'json' }).$type<{
      every: string;
      target: string;
      includeReasoning: boolean;
    }>(),
    identityProfile: text('identity_profile', { mode: 'json' }).$type<Record<string, string>>(),
    identityTemplate: text('identity_template'),
    soulTemplate: text('soul_template'),
    provisionRequestedAt: ts('provision_requested_at'),
    provisionAction: text('provision_action'),
    lastSeenAt: ts('last_seen_at'),
    lifecycleGeneration: integer('lifecycle_generation').notNull().default(0),
    wakeAttempts: integer('wake_attempts').notNull().default(0),
    lastWakeSentAt: ts('last_wake_sent_at'),
    checkinDeadlineAt: ts('checkin_deadline_at'),
    /** When the queued reconcile check runs (core/wake-ladder.ts); may be before the deadline (then it defers). */
    reconcileAt: ts('reconcile_at'),
    lastProvisionError: text('last_provision_error'),
    isBoardLead: bool('is_board_lead').notNull().default(false),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('agents_token_hash_uq').on(t.agentTokenHash),
    index('agents_board_idx').on(t.boardId),
    index('agents_gateway_idx').on(t.gatewayId),
    index('agents_deadline_idx').on(t.checkinDeadlineAt),
    index('agents_reconcile_idx').on(t.reconcileAt),
    index('agents_updated_idx').on(t.updatedAt),
    // At most one lead per board, and one main agent per gateway, enforced by the database.
    uniqueIndex('agents_one_lead_per_board_uq')
      .on(t.boardId)
      .where(sql`is_board_lead = 1`),
    uniqueIndex('agents_one_main_per_gateway_uq')
      .on(t.gatewayId)
      .where(sql`board_id IS NULL`),
  ],
);

/** Tokens an agent held before a rotation: a 401 with one of them is attributed to its agent (token drift). */
export const retiredAgentTokens = sqliteTable(
  'retired_agent_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    retiredAt: ts('retired_at').notNull(),
  },
  (t) => [index('retired_agent_tokens_agent_idx').on(t.agentId)],
);

/** Agent-auth failures, aggregated per presented-token prefix (6 chars) and attributed agent. */
export const agentAuthFailures = sqliteTable(
  'agent_auth_failures',
  {
    key: text('key').primaryKey(),
    tokenPrefix: text('token_prefix').notNull(),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: ['unknown_token', 'retired_token', 'missing_token'] }).notNull(),
    count: integer('count').notNull(),
    firstAt: ts('first_at').notNull(),
    lastAt: ts('last_at').notNull(),
  },
  (t) => [index('agent_auth_failures_agent_idx').on(t.agentId), index('agent_auth_failures_last_idx').on(t.lastAt)],
);

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
 * The supervision trail: every lifecycle log event (the web edition's `lifecycle.*` names), wake,
 * check-in and gateway-side heartbeat, kept queryable for `/api/v1/logs` and an agent's timeline.
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
