import { z } from 'zod';
import { Id, LIFECYCLE_STATUSES, QueryBool, Text, Timestamp } from './common.js';

/** Durations as OpenClaw writes them: `30s`, `10m`, `1h`, `0m` (off). */
export const Duration = z
  .string()
  .trim()
  .regex(/^\d{1,6}(ms|s|m|h|d)$/, { message: 'must be a duration like 30s, 10m or 1h' });

export const HeartbeatConfig = z.strictObject({
  every: Duration.default('10m'),
  target: z.string().trim().min(1).max(100).default('last'),
  includeReasoning: z.boolean().default(false),
});
export type HeartbeatConfig = z.infer<typeof HeartbeatConfig>;

export const IdentityProfile = z.record(z.string().max(100), z.string().max(10_000));

export const AgentRead = z.object({
  id: Id,
  board_id: Id.nullable(),
  gateway_id: Id,
  name: z.string(),
  /** Computed for reads: `provisioning` until the first check-in, `offline` after silence. */
  status: z.string(),
  openclaw_session_id: z.string().nullable(),
  heartbeat_config: HeartbeatConfig.nullable(),
  identity_profile: IdentityProfile.nullable(),
  identity_template: z.string().nullable(),
  soul_template: z.string().nullable(),
  provision_requested_at: Timestamp.nullable(),
  provision_action: z.string().nullable(),
  last_seen_at: Timestamp.nullable(),
  is_board_lead: z.boolean(),
  is_gateway_main: z.boolean(),
  wake_attempts: z.number().int(),
  last_wake_sent_at: Timestamp.nullable(),
  checkin_deadline_at: Timestamp.nullable(),
  last_provision_error: z.string().nullable(),
  lifecycle_generation: z.number().int(),
  has_token: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type AgentRead = z.infer<typeof AgentRead>;

const agentFields = {
  heartbeat_config: HeartbeatConfig.nullable().optional(),
  identity_profile: IdentityProfile.nullable().optional(),
  identity_template: z.string().max(60_000).nullable().optional(),
  soul_template: z.string().max(60_000).nullable().optional(),
};

export const AgentCreate = z.strictObject({
  name: Text(100),
  board_id: Id,
  is_board_lead: z.boolean().default(false),
  ...agentFields,
});
export type AgentCreate = z.infer<typeof AgentCreate>;

/** What a board lead may send to `POST /api/v1/agent/agents`: the board is always the lead's own. */
export const LeadAgentCreate = z.strictObject({
  name: Text(100),
  board_id: Id.optional(),
  ...agentFields,
});
export type LeadAgentCreate = z.infer<typeof LeadAgentCreate>;

export const AgentUpdate = z.strictObject({
  name: Text(100).optional(),
  ...agentFields,
});
export type AgentUpdate = z.infer<typeof AgentUpdate>;

export const AgentParams = z.object({ agent_id: Id });
/** `force`: remove the record even when the gateway cannot be reached to remove the agent there. */
export const AgentDeleteQuery = z.object({ force: QueryBool.optional() });
export const AgentListQuery = z.object({ board_id: Id.optional(), gateway_id: Id.optional() });
export const AgentApiListQuery = z.object({ board_id: Id.optional() });

/** Returned once, when a token is minted; never again. */
export const AgentTokenIssued = z.object({ agent_id: Id, token: z.string() });

const REPORTABLE =
  'agents may report "online" or a status of their own (a letter, then letters, digits, "_" or "-"; at most 50); ' +
  `${LIFECYCLE_STATUSES.join(', ')} are set by Mission Control only`;
const lifecycle = new Set<string>(LIFECYCLE_STATUSES);

/**
 * A status sent with a heartbeat (web-edition shared routes). The web edition stored any string;
 * here Mission Control's lifecycle states are refused (an agent reporting `deleting` left the wake
 * ladder and token rotation), and a status of the agent's own is a plain lower-case label, so it
 * cannot pass for one of them on screen. Case is folded: `Online` is `online`.
 */
export const AgentReportedStatus = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_-]{0,49}$/, { message: REPORTABLE })
  .refine((s) => !lifecycle.has(s), { message: REPORTABLE })
  .describe(REPORTABLE);

export const AgentStatusHeartbeat = z.strictObject({
  status: AgentReportedStatus.optional(),
});
export const AgentNamedHeartbeat = z.strictObject({
  name: Text(100),
  board_id: Id.optional(),
  status: AgentReportedStatus.optional(),
});

export const AgentHealth = z.object({
  ok: z.literal(true),
  agent_id: Id,
  board_id: Id.nullable(),
  gateway_id: Id,
  status: z.string(),
  is_board_lead: z.boolean(),
});

export const LifecycleEventRead = z.object({
  id: Id,
  event: z.string(),
  agent_id: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  created_at: Timestamp,
});
export type LifecycleEventRead = z.infer<typeof LifecycleEventRead>;

/** The supervision state of one agent and its recent trail, newest first. */
export const AgentLifecycle = z.object({
  agent: AgentRead,
  max_wake_attempts: z.number().int(),
  checkin_deadline_seconds: z.number(),
  events: z.array(LifecycleEventRead),
});

/** `?event=lifecycle.*` (a trailing `*` matches a prefix) and/or `?agent_id=`. */
export const LogsQuery = z.object({
  event: z
    .string()
    .trim()
    .regex(/^[a-z0-9_.]+\*?$/, { message: 'an event name, optionally ending in *' })
    .optional(),
  agent_id: Id.optional(),
});
