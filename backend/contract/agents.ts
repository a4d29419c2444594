import { z } from 'zod';
import { Id, LIFECYCLE_STATUSES, OkResponse, PageQuery, QueryBool, Text, Timestamp, page } from './common.js';
import { ALL, LEAD, defineRoute } from './route.js';

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

const IdentityProfileMap = z.record(z.string().max(100), z.string().max(10_000));

/**
 * As the web edition normalises it: keys and values trimmed, a list value joined with ", "
 * (`{"skills": ["search", "summarise"]}` → `"search, summarise"`), blanks and nulls dropped.
 */
const normaliseProfile = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [rawKey, raw] of Object.entries(value)) {
    const key = rawKey.trim();
    if (!key || raw === null || raw === undefined) continue;
    const text = Array.isArray(raw)
      ? raw
          .map((item) => (typeof item === 'string' || typeof item === 'number' ? String(item).trim() : ''))
          .filter(Boolean)
          .join(', ')
      : typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
        ? String(raw).trim()
        : raw;
    if (text !== '') out[key] = text;
  }
  return out;
};
export const IdentityProfile = z.preprocess(normaliseProfile, IdentityProfileMap);

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
  /** The web edition's AgentCreate carries it; accepted and ignored: lifecycle states are Mission Control's. */
  status: z.string().max(100).nullable().optional().describe('Ignored: a new agent is provisioning until it checks in.'),
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

export const AgentBoardAgentParams = z.object({ board_id: Id, agent_id: Id });

/** Agents: records, supervision and logs (user), check-ins and the lead’s worker management (agents). */
export const AGENT_ROUTES = {
  listAgents: defineRoute({
    method: 'get',
    path: '/api/v1/agents',
    operationId: 'list_agents',
    summary: 'List agents',
    tags: ['agents'],
    auth: 'user',
    query: PageQuery.extend(AgentListQuery.shape),
    response: page(AgentRead),
  }),
  createAgent: defineRoute({
    method: 'post',
    path: '/api/v1/agents',
    operationId: 'create_agent',
    summary: 'Create a board agent (lead or worker)',
    tags: ['agents'],
    auth: 'user',
    body: AgentCreate,
    response: AgentRead,
  }),
  getAgent: defineRoute({
    method: 'get',
    path: '/api/v1/agents/{agent_id}',
    operationId: 'get_agent',
    summary: 'Get an agent',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    response: AgentRead,
  }),
  updateAgent: defineRoute({
    method: 'patch',
    path: '/api/v1/agents/{agent_id}',
    operationId: 'update_agent',
    summary: 'Update an agent record',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    body: AgentUpdate,
    response: AgentRead,
  }),
  deleteAgent: defineRoute({
    method: 'delete',
    path: '/api/v1/agents/{agent_id}',
    operationId: 'delete_agent',
    summary: 'Delete an agent: from its gateway (files too), then the record (its tasks return to the inbox)',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    query: AgentDeleteQuery,
    response: OkResponse,
  }),
  wakeAgent: defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agent_id}/wake',
    operationId: 'wake_agent',
    summary:
      'Wake an agent now and start a new check-in ladder. Answers at once with the agent as the new cycle starts (wake_attempts 1, deadline set); whether the gateway took the wake follows on GET /api/v1/events and in the agent’s lifecycle timeline',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    response: AgentRead,
  }),
  reprovisionAgent: defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agent_id}/reprovision',
    operationId: 'reprovision_agent',
    summary: 'Rewrite the agent’s workspace on its gateway (token kept), reset its session and wake it',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    response: AgentRead,
  }),
  allowAgentCheckin: defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agent_id}/allow-checkin',
    operationId: 'allow_agent_checkin',
    summary: 'Put curl (the check-in command) on this agent’s exec allowlist on its gateway — the narrow fix when exec needs approval',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    response: AgentRead,
  }),
  agentLifecycle: defineRoute({
    method: 'get',
    path: '/api/v1/agents/{agent_id}/lifecycle',
    operationId: 'agent_lifecycle',
    summary: 'The agent’s check-in ladder and its supervision timeline (wakes, check-ins, failures)',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    query: PageQuery,
    response: AgentLifecycle,
  }),
  listLogs: defineRoute({
    method: 'get',
    path: '/api/v1/logs',
    operationId: 'list_logs',
    summary: 'Lifecycle log events (e.g. ?event=lifecycle.*&agent_id=…), newest first',
    tags: ['logs'],
    auth: 'user',
    query: PageQuery.extend(LogsQuery.shape),
    response: page(LifecycleEventRead),
  }),
  rotateAgentToken: defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agent_id}/token',
    operationId: 'rotate_agent_token',
    summary: 'Mint a new agent token (shown once); the old token stops working at once',
    tags: ['agents'],
    auth: 'user',
    params: AgentParams,
    response: AgentTokenIssued,
  }),
  agentStatusHeartbeat: defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agent_id}/heartbeat',
    operationId: 'agent_status_heartbeat',
    summary: 'Heartbeat for an agent, optionally setting its status (web-edition shared route)',
    tags: ['agents', ...ALL],
    auth: 'user_or_agent',
    params: AgentParams,
    body: AgentStatusHeartbeat,
    response: AgentRead,
  }),
  agentNamedHeartbeat: defineRoute({
    method: 'post',
    path: '/api/v1/agents/heartbeat',
    operationId: 'agent_named_heartbeat',
    summary: "Heartbeat of the calling agent (the body's name must be its own)",
    tags: ['agents', ...ALL],
    auth: 'agent',
    body: AgentNamedHeartbeat,
    response: AgentRead,
  }),
  agentHealthz: defineRoute({
    method: 'get',
    path: '/api/v1/agent/healthz',
    operationId: 'agent_healthz',
    summary: 'Who am I: the calling agent’s identity and status',
    tags: ALL,
    auth: 'agent',
    response: AgentHealth,
    llm: {
      intent: 'Verify the agent token and learn your agent_id, board_id and status.',
      whenToUse: 'At startup, and whenever a call returns 401, to check the token.',
      requiredActor: 'any agent',
    },
  }),
  agentHeartbeat: defineRoute({
    method: 'post',
    path: '/api/v1/agent/heartbeat',
    operationId: 'agent_heartbeat',
    summary: 'Check in: proves the agent is alive (no body)',
    tags: ALL,
    auth: 'agent',
    response: AgentRead,
    llm: {
      intent: 'Tell Mission Control you are alive.',
      whenToUse: 'Immediately after every wake or bootstrap, then on every heartbeat.',
      whenNotToUse: 'Do not send a body; identity comes from the X-Agent-Token header.',
      requiredActor: 'any agent',
      sideEffects: 'Sets last_seen_at, resets the wake ladder, moves provisioning → online.',
    },
  }),
  agentListAgents: defineRoute({
    method: 'get',
    path: '/api/v1/agent/agents',
    operationId: 'agent_list_agents',
    summary: 'Agents visible to the calling agent',
    tags: ALL,
    auth: 'agent',
    query: PageQuery.extend(AgentApiListQuery.shape),
    response: page(AgentRead),
    llm: {
      intent: 'See who is on your board and whether they are online.',
      whenToUse: 'Before assigning work or mentioning someone.',
      requiredActor: 'any agent',
    },
  }),
  agentCreateAgent: defineRoute({
    method: 'post',
    path: '/api/v1/agent/agents',
    operationId: 'agent_create_agent',
    summary: 'Board lead adds a worker to its board (max_agents applies)',
    tags: LEAD,
    auth: 'agent',
    body: LeadAgentCreate,
    response: AgentRead,
    llm: {
      intent: 'Add a worker agent to your board.',
      whenToUse: 'When the board needs more hands and max_agents allows it.',
      whenNotToUse: 'Never to replace yourself; the board keeps one lead.',
      requiredActor: 'board lead',
      sideEffects: 'Creates the agent record; it is provisioned on the gateway.',
    },
  }),
  agentDeleteAgent: defineRoute({
    method: 'delete',
    path: '/api/v1/agent/boards/{board_id}/agents/{agent_id}',
    operationId: 'agent_delete_agent',
    summary: 'Board lead removes a worker from its board',
    tags: LEAD,
    auth: 'agent',
    params: AgentBoardAgentParams,
    response: OkResponse,
    llm: { intent: 'Remove a worker you no longer need.', whenToUse: 'Only for workers on your own board.', requiredActor: 'board lead' },
  }),
} as const;
