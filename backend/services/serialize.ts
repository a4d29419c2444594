import { createHash } from 'node:crypto';
import type { AgentRead } from '../contract/agents.js';
import type { BoardRead } from '../contract/boards.js';
import { LOCAL_ORGANIZATION_ID } from '../contract/common.js';
import type { GatewayRead } from '../contract/gateways.js';
import type { ActivityEventRead, BoardMemoryRead } from '../contract/memory.js';
import type { TagRead, TaskCommentRead } from '../contract/tasks.js';
import type { ActivityRow, AgentRow, BoardRow, GatewayRow, MemoryRow, TagRow } from '../db/schema.js';
import type { LifecyclePolicy } from '../core/context.js';
import { computeAgentStatus } from '../core/wake-ladder-reasons.js';

export { silenceThresholdMs } from '../core/wake-ladder-reasons.js';

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const toGatewayRead = (
  row: GatewayRow,
  mainAgentId: string | null,
  connectionState: GatewayRead['connection_state'],
): GatewayRead => ({
  id: row.id,
  name: row.name,
  url: row.url,
  has_token: Boolean(row.token),
  workspace_root: row.workspaceRoot,
  disable_device_pairing: row.disableDevicePairing,
  allow_insecure_tls: row.allowInsecureTls,
  tls_fingerprint: row.tlsFingerprint,
  main_agent_id: mainAgentId,
  connection_state: connectionState,
  server_version: row.serverVersion,
  protocol_version: row.protocolVersion,
  last_connected_at: isoOrNull(row.lastConnectedAt),
  last_error: row.lastError ?? null,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

export const toBoardRead = (row: BoardRow): BoardRead => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  description: row.description,
  gateway_id: row.gatewayId,
  board_type: row.boardType,
  objective: row.objective,
  success_metrics: row.successMetrics ?? null,
  target_date: isoOrNull(row.targetDate),
  goal_confirmed: row.goalConfirmed,
  goal_source: row.goalSource,
  require_approval_for_done: row.requireApprovalForDone,
  require_review_before_done: row.requireReviewBeforeDone,
  comment_required_for_review: row.commentRequiredForReview,
  block_status_changes_with_pending_approval: row.blockStatusChangesWithPendingApproval,
  only_lead_can_change_status: row.onlyLeadCanChangeStatus,
  max_agents: row.maxAgents,
  organization_id: LOCAL_ORGANIZATION_ID,
  board_group_id: row.boardGroupId,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

export const toAgentRead = (row: AgentRow, now: Date, policy: LifecyclePolicy): AgentRead => ({
  id: row.id,
  board_id: row.boardId,
  gateway_id: row.gatewayId,
  name: row.name,
  status: computeAgentStatus(row, now, policy),
  openclaw_session_id: row.openclawSessionId,
  heartbeat_config: row.heartbeatConfig ?? null,
  identity_profile: row.identityProfile ?? null,
  identity_template: row.identityTemplate,
  soul_template: row.soulTemplate,
  provision_requested_at: isoOrNull(row.provisionRequestedAt),
  provision_action: row.provisionAction,
  last_seen_at: isoOrNull(row.lastSeenAt),
  is_board_lead: row.isBoardLead,
  is_gateway_main: row.boardId === null,
  wake_attempts: row.wakeAttempts,
  last_wake_sent_at: isoOrNull(row.lastWakeSentAt),
  checkin_deadline_at: isoOrNull(row.checkinDeadlineAt),
  last_provision_error: row.lastProvisionError,
  lifecycle_generation: row.lifecycleGeneration,
  has_token: row.agentTokenHash !== null,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

/** The fields board memory and board-group memory share. */
export const memoryFields = (row: Omit<MemoryRow, 'boardId'>) => ({
  id: row.id,
  content: row.content,
  tags: row.tags ?? null,
  source: row.source,
  author: row.author,
  agent_id: row.authorAgentId,
  is_chat: row.isChat,
  created_at: iso(row.createdAt),
});

export const toMemoryRead = (row: MemoryRow): BoardMemoryRead => ({ board_id: row.boardId, ...memoryFields(row) });

export const toActivityRead = (row: ActivityRow): ActivityEventRead => ({
  id: row.id,
  event_type: row.eventType,
  message: row.message,
  agent_id: row.agentId,
  task_id: row.taskId,
  board_id: row.boardId,
  created_at: iso(row.createdAt),
});

export const toCommentRead = (row: ActivityRow): TaskCommentRead => ({
  id: row.id,
  message: row.message,
  agent_id: row.agentId,
  task_id: row.taskId,
  created_at: iso(row.createdAt),
});

export const toTagRead = (row: TagRow): TagRead => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  color: row.color,
  description: row.description,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

/**
 * `Hello, World` → `hello-world` (the web edition's slugify). A name with no Latin letters or digits
 * (`日本`) gets a short stable hash instead, so two such names do not collide on one slug.
 */
export function slugify(value: string): string {
  const slug = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || `x-${createHash('sha256').update(value).digest('hex').slice(0, 10)}`;
}
