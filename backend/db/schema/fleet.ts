import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { boardGroups } from './board-groups.js';
import { bool, created, ts, updated } from './columns.js';

/* The fleet: gateways, boards, the agents on them, and the evidence of their credentials. */

/** What the TLS handshake showed of a gateway's certificate (public: shown as evidence, pinned on request). */
export interface PeerCertificateInfo {
  /** SHA-256 of the DER certificate, `AB:CD:…` (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint_sha256: string;
  subject: string;
  issuer: string;
  valid_from: string;
  valid_to: string;
  self_signed: boolean;
}

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
    certificate?: PeerCertificateInfo;
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
