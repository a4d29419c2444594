import { z } from 'zod';
import { Id, QueryBool, Timestamp } from './common.js';
import { GatewayParams } from './gateways.js';
import { defineRoute } from './route.js';

/*
 * Template sync and drift preview (`/api/v1/gateways/{id}/templates/*`). The sync keeps the web
 * edition's options (query-string booleans, `?rotate_tokens=true`) and result fields; everything
 * after `errors` is ours. No token ever appears in these shapes: a token difference is a field
 * (`token`), and file diffs show `AUTH_TOKEN=[redacted]`.
 */

const flag = (fallback: boolean) => QueryBool.default(fallback);

export const TemplateSyncQuery = z.object({
  include_main: flag(true),
  lead_only: flag(false),
  reset_sessions: flag(false),
  rotate_tokens: flag(false),
  force_bootstrap: flag(false),
  /** Also replace the files the agent owns (USER.md, MEMORY.md) when it has them. */
  overwrite: flag(false),
  /** Wake the synced agents and wait (one check-in deadline) for each to check in with its token. */
  verify: flag(false),
  board_id: Id.optional(),
});
export type TemplateSyncQuery = z.output<typeof TemplateSyncQuery>;

/** What the workspace's AUTH_TOKEN was, compared by hash with the token Mission Control holds. */
export const WorkspaceTokenState = z.enum(['match', 'mismatch', 'missing']);
export type WorkspaceTokenState = z.infer<typeof WorkspaceTokenState>;

export const TemplateSyncError = z.object({
  agent_id: Id.nullable(),
  agent_name: z.string().nullable(),
  board_id: Id.nullable(),
  message: z.string(),
});

export const TemplateSyncVerify = z.object({
  woken: z.boolean(),
  /** It called the heartbeat API after the wake; its old token was already refused, so it used the new one. */
  checked_in: z.boolean(),
  checked_in_at: Timestamp.nullable(),
  /**
   * Its token from before the sync is refused from now on: the previous one is retired and neither it
   * nor the one its workspace held is any agent's current token (false when no token was rotated).
   */
  old_token_refused: z.boolean(),
});

export const TemplateSyncAgent = z.object({
  agent_id: Id,
  agent_name: z.string(),
  board_id: Id.nullable(),
  gateway_agent_id: z.string(),
  is_main: z.boolean(),
  is_board_lead: z.boolean(),
  outcome: z.enum(['updated', 'skipped', 'failed']),
  /** Why it was skipped or failed (never a token). */
  reason: z.string().nullable(),
  /** The token its workspace held before the sync; null when it was not read (skipped). */
  token: WorkspaceTokenState.nullable(),
  token_rotated: z.boolean(),
  files_written: z.array(z.string()),
  files_kept: z.array(z.string()),
  verify: TemplateSyncVerify.nullable(),
});

export const TemplateSyncResult = z.object({
  gateway_id: Id,
  include_main: z.boolean(),
  reset_sessions: z.boolean(),
  agents_updated: z.number().int(),
  agents_skipped: z.number().int(),
  main_updated: z.boolean(),
  errors: z.array(TemplateSyncError),
  // ── ours ──
  rotate_tokens: z.boolean(),
  overwrite: z.boolean(),
  verify: z.boolean(),
  /** Boards whose latest chat command is `/pause`: their agents were skipped, or with `rotate_tokens` re-keyed only (own files and sessions kept). */
  paused_board_ids: z.array(Id),
  token_mismatches: z.number().int(),
  agents: z.array(TemplateSyncAgent),
  started_at: Timestamp,
  finished_at: Timestamp,
});
export type TemplateSyncResult = z.infer<typeof TemplateSyncResult>;

export const TemplateDriftQuery = z.object({
  include_main: flag(true),
  lead_only: flag(false),
  board_id: Id.optional(),
});
export type TemplateDriftQuery = z.output<typeof TemplateDriftQuery>;

export const FileDriftStatus = z.enum(['in_sync', 'drifted', 'missing', 'unsupported']);
export type FileDriftStatus = z.infer<typeof FileDriftStatus>;

/**
 * Why a file's diff was not computed, with the sizes (a drifted file whose `diff` is null). A file
 * an agent wrote can be anything up to what the gateway serves, so what is read and diffed is bounded:
 * `file_too_large` — the gateway's copy is over `limit` bytes and was not read further;
 * `too_many_changes` — more than `limit` lines differ; `diff_too_long` — the diff is over `limit` characters.
 */
export const DiffTooLarge = z.object({
  reason: z.enum(['file_too_large', 'too_many_changes', 'diff_too_long']),
  /** The gateway's copy, in bytes (UTF-8). */
  gateway_bytes: z.number().int(),
  /** What a sync writes, in bytes (UTF-8, tokens redacted). */
  template_bytes: z.number().int(),
  limit: z.number().int(),
  /** A sentence for people, e.g. "Too large to diff: …". */
  message: z.string(),
});
export type DiffTooLarge = z.infer<typeof DiffTooLarge>;

export const FileDrift = z.object({
  name: z.string(),
  status: FileDriftStatus,
  /** The agent's own file (USER.md, MEMORY.md): a sync replaces it only with `overwrite=true`. */
  preserved: z.boolean(),
  /** From the gateway's copy (`---`) to what a sync writes (`+++`), tokens redacted; null when in sync. */
  diff: z.string().nullable(),
  note: z.string().nullable(),
  /** Set when the file differs but its diff was not computed (`diff` is null): why, with the sizes. */
  too_large: DiffTooLarge.nullable(),
});
export type FileDrift = z.infer<typeof FileDrift>;

export const AgentDrift = z.object({
  agent_id: Id,
  agent_name: z.string(),
  board_id: Id.nullable(),
  gateway_agent_id: z.string(),
  is_main: z.boolean(),
  /** Its board is paused (`/pause` in board chat): a sync would skip it; a sync with `rotate_tokens` re-keys it all the same. */
  paused: z.boolean(),
  /** null when the workspace could not be read (see `error`). */
  token: WorkspaceTokenState.nullable(),
  error: z.string().nullable(),
  files: z.array(FileDrift),
});

export const TemplateDriftResult = z.object({
  gateway_id: Id,
  checked_at: Timestamp,
  summary: z.object({
    agents: z.number().int(),
    in_sync: z.number().int(),
    drifted: z.number().int(),
    missing: z.number().int(),
    unsupported: z.number().int(),
    token_mismatches: z.number().int(),
  }),
  agents: z.array(AgentDrift),
});
export type TemplateDriftResult = z.infer<typeof TemplateDriftResult>;

/** Published on `GET /api/v1/events` as `event: template_sync` while a sync runs. */
export const TemplateSyncProgress = z.object({
  sync_id: z.string(),
  gateway_id: Id,
  phase: z.enum(['started', 'agent', 'verifying', 'finished']),
  /** Agents done so far, of `total`. */
  done: z.number().int(),
  total: z.number().int(),
  agent_id: Id.nullable(),
  agent_name: z.string().nullable(),
  outcome: z.enum(['updated', 'skipped', 'failed']).nullable(),
  errors: z.number().int(),
});
export type TemplateSyncProgress = z.infer<typeof TemplateSyncProgress>;

/**
 * What Mission Control last knew about an agent's workspace, without reading it again (the drift
 * read above reads every file from the gateway). `stale`: the templates, the agent or its board
 * changed since, so what a sync writes is no longer what was compared.
 */
export const RememberedDriftState = z.enum(['not_checked', 'stale', 'unreadable', 'token_differs', 'drifted', 'in_sync']);
export type RememberedDriftState = z.infer<typeof RememberedDriftState>;

export const RememberedAgentDrift = z.object({
  agent_id: Id,
  agent_name: z.string(),
  board_id: Id.nullable(),
  is_main: z.boolean(),
  state: RememberedDriftState,
  /** Files a sync would rewrite (changed on the gateway or missing); the agent's own USER.md / MEMORY.md are not counted. */
  files: z.array(z.string()),
  token: WorkspaceTokenState.nullable(),
  error: z.string().nullable(),
  /** When this was known; null: never checked. */
  checked_at: Timestamp.nullable(),
  /** How it became known: a drift read (API, doctor), a template sync, or a provisioning that wrote the files. */
  source: z.enum(['drift_read', 'sync', 'provision']).nullable(),
});
export type RememberedAgentDrift = z.infer<typeof RememberedAgentDrift>;

export const RememberedGatewayDrift = z.object({
  gateway_id: Id,
  /**
   * `drifted`: at least one agent known to differ (files, token, or unreadable). `in_sync`: every agent
   * known to match. `partly_checked`: none known to differ, some not checked or stale. `not_checked`:
   * nothing known. `no_agents`: nothing to compare.
   */
  state: z.enum(['drifted', 'in_sync', 'partly_checked', 'not_checked', 'no_agents']),
  counts: z.object({
    agents: z.number().int(),
    in_sync: z.number().int(),
    drifted: z.number().int(),
    token_differs: z.number().int(),
    unreadable: z.number().int(),
    stale: z.number().int(),
    not_checked: z.number().int(),
  }),
  /** The oldest knowledge among the agents known now (what "checked N min ago" means); null when none. */
  checked_at: Timestamp.nullable(),
  agents: z.array(RememberedAgentDrift),
});
export type RememberedGatewayDrift = z.infer<typeof RememberedGatewayDrift>;

export const RememberedDriftQuery = z.object({ gateway_id: Id.optional() });

export const TEMPLATE_ROUTES = {
  syncGatewayTemplates: defineRoute({
    method: 'post',
    path: '/api/v1/gateways/{gateway_id}/templates/sync',
    operationId: 'sync_gateway_templates',
    summary: 'Re-render and write every agent’s workspace files; re-key drifted tokens with rotate_tokens=true',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    query: TemplateSyncQuery,
    response: TemplateSyncResult,
    errors: {
      '409': 'A sync of this gateway is already running (detail.code "template_sync_running"): one at a time per gateway.',
      '502': 'The gateway cannot be reached; detail has the classified reason and the next step. No agent was touched.',
    },
  }),
  gatewayTemplateDrift: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/{gateway_id}/templates/drift',
    operationId: 'gateway_template_drift',
    summary: 'Preview a sync: per agent and file, in_sync / drifted / missing / unsupported, with a diff',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    query: TemplateDriftQuery,
    response: TemplateDriftResult,
    errors: { '502': 'The gateway cannot be reached; detail has the classified reason and the next step.' },
  }),
  rememberedTemplateDrift: defineRoute({
    method: 'get',
    path: '/api/v1/template-drift',
    operationId: 'remembered_template_drift',
    summary:
      'The latest known template drift per gateway (from drift reads, syncs and provisioning), without reading the gateway: cheap enough for a dashboard',
    tags: ['gateways'],
    auth: 'user',
    query: RememberedDriftQuery,
    response: z.object({ items: z.array(RememberedGatewayDrift) }),
  }),
} as const;
