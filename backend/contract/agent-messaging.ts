import { z } from 'zod';
import { AgentBoardAgentParams } from './agents.js';
import { BoardParams, Id, OkResponse, Text } from './common.js';
import { LEAD, defineRoute, type AgentRoleTag } from './route.js';

/*
 * The web edition's agent messaging (its `gateway_coordination` schemas and `agent.py` routes): a lead
 * nudging an agent of its board, a lead asking the user through the gateway's main agent, the main agent
 * messaging one board lead or all of them. Paths, bodies and answers are the web edition's; who may call
 * which comes from the caller's token (backend/services/agent-messaging.ts). Every message goes through
 * the durable outbox, so "ok" means it is queued for the target's session, not that a model has read it.
 */

const MAIN: AgentRoleTag[] = ['agent-main'];

/** A message body: long enough for a real hand-off, short enough that one request is bounded work. */
export const MESSAGE_MAX = 10_000;

const CorrelationId = z.string().trim().max(200).nullable().optional();
/** Tags the recipient is told to put on its reply (a board memory note). */
const ReplyTags = z.array(z.string().trim().min(1).max(100)).max(20).optional();
const ReplySource = z.string().trim().max(200).nullable().optional();

export const AgentNudge = z.strictObject({ message: Text(MESSAGE_MAX) });
export type AgentNudge = z.infer<typeof AgentNudge>;

export const GatewayLeadMessageRequest = z.strictObject({
  kind: z.enum(['question', 'handoff']).default('question'),
  correlation_id: CorrelationId,
  content: Text(MESSAGE_MAX),
  reply_tags: ReplyTags,
  reply_source: ReplySource,
});
export type GatewayLeadMessageRequest = z.infer<typeof GatewayLeadMessageRequest>;

export const GatewayLeadMessageResponse = z.object({
  ok: z.boolean(),
  board_id: Id,
  lead_agent_id: Id.nullable(),
  lead_agent_name: z.string().nullable(),
  /** True when the board had no lead and this message created (and provisioned) one, as the web edition does. */
  lead_created: z.boolean(),
});
export type GatewayLeadMessageResponse = z.infer<typeof GatewayLeadMessageResponse>;

export const GatewayLeadBroadcastRequest = GatewayLeadMessageRequest.extend({
  /** Only these boards (of the caller's gateway; others are left out); all of its boards when absent. */
  board_ids: z.array(Id).max(500).nullable().optional(),
});
export type GatewayLeadBroadcastRequest = z.infer<typeof GatewayLeadBroadcastRequest>;

export const GatewayLeadBroadcastBoardResult = z.object({
  board_id: Id,
  lead_agent_id: Id.nullable(),
  lead_agent_name: z.string().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
});
export type GatewayLeadBroadcastBoardResult = z.infer<typeof GatewayLeadBroadcastBoardResult>;

export const GatewayLeadBroadcastResponse = z.object({
  ok: z.boolean(),
  sent: z.number().int(),
  failed: z.number().int(),
  results: z.array(GatewayLeadBroadcastBoardResult),
});
export type GatewayLeadBroadcastResponse = z.infer<typeof GatewayLeadBroadcastResponse>;

export const GatewayMainAskUserRequest = z.strictObject({
  correlation_id: CorrelationId,
  content: Text(MESSAGE_MAX),
  preferred_channel: z.string().trim().max(100).nullable().optional(),
  reply_tags: ReplyTags,
  reply_source: ReplySource,
});
export type GatewayMainAskUserRequest = z.infer<typeof GatewayMainAskUserRequest>;

export const GatewayMainAskUserResponse = z.object({
  ok: z.boolean(),
  board_id: Id,
  main_agent_id: Id.nullable(),
  main_agent_name: z.string().nullable(),
});
export type GatewayMainAskUserResponse = z.infer<typeof GatewayMainAskUserResponse>;

export const AGENT_MESSAGING_ROUTES = {
  agentNudgeAgent: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/agents/{agent_id}/nudge',
    operationId: 'agent_lead_nudge_agent',
    summary: 'Nudge an agent on a board',
    tags: LEAD,
    auth: 'agent',
    params: AgentBoardAgentParams,
    body: AgentNudge,
    response: OkResponse,
    errors: { '403': 'Caller is not this board’s lead', '404': 'Target agent is not on this board' },
    llm: {
      intent: 'agent_coordination',
      whenToUse: 'A worker on your board is stalled, idle or misaligned: re-engage it with a targeted nudge.',
      whenNotToUse: 'Mass notification to all agents; escalation requiring human confirmation (use ask-user).',
      requiredActor: 'board lead',
      sideEffects: 'Queues a NUDGE message for the target agent’s session; recorded as agent.nudge.sent activity.',
      prerequisites: 'Authenticated board lead; target agent on the same board; message present.',
    },
  }),
  agentAskUserViaGatewayMain: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/gateway/main/ask-user',
    operationId: 'agent_lead_ask_user_via_gateway_main',
    summary: 'Ask the human via gateway-main',
    tags: LEAD,
    auth: 'agent',
    params: BoardParams,
    body: GatewayMainAskUserRequest,
    response: GatewayMainAskUserResponse,
    errors: { '403': 'Caller is not this board’s lead', '404': 'Board not found' },
    llm: {
      intent: 'human_escalation',
      whenToUse: 'A blocking decision needs explicit user confirmation, consent or preference.',
      whenNotToUse: 'Routine status notes; operational routing to another board lead.',
      requiredActor: 'board lead',
      sideEffects:
        'Posts the question to the board chat, where the user sees and answers it, and queues LEAD REQUEST: ASK USER for the gateway main agent.',
      prerequisites: 'Authenticated board lead.',
    },
  }),
  agentMainMessageBoardLead: defineRoute({
    method: 'post',
    path: '/api/v1/agent/gateway/boards/{board_id}/lead/message',
    operationId: 'agent_main_message_board_lead',
    summary: 'Message board lead via gateway-main',
    tags: MAIN,
    auth: 'agent',
    params: BoardParams,
    body: GatewayLeadMessageRequest,
    response: GatewayLeadMessageResponse,
    errors: { '403': 'Caller is not the gateway main agent, or the board is on another gateway', '404': 'Board not found' },
    llm: {
      intent: 'lead_direct_routing',
      whenToUse: 'You need one board lead’s answer or a hand-off to it (not user-facing).',
      whenNotToUse: 'Fan-out to many leads (use broadcast); human permission questions.',
      requiredActor: 'gateway main agent',
      sideEffects: 'Queues GATEWAY MAIN QUESTION|HANDOFF for the lead’s session; creates and provisions a lead when the board has none.',
      prerequisites: 'The board is on your gateway.',
    },
  }),
  agentMainBroadcastLeadMessage: defineRoute({
    method: 'post',
    path: '/api/v1/agent/gateway/leads/broadcast',
    operationId: 'agent_main_broadcast_lead_message',
    summary: 'Broadcast a message to board leads via gateway-main',
    tags: MAIN,
    auth: 'agent',
    body: GatewayLeadBroadcastRequest,
    response: GatewayLeadBroadcastResponse,
    errors: { '403': 'Caller is not the gateway main agent' },
    llm: {
      intent: 'lead_broadcast_routing',
      whenToUse: 'Many board leads need the same context or an aligned action.',
      whenNotToUse: 'A single lead interaction; human-facing consent requests.',
      requiredActor: 'gateway main agent',
      sideEffects: 'Queues the message for the lead of every board of your gateway (or of board_ids); per-board results.',
      prerequisites: 'Gateway main agent token.',
    },
  }),
} as const;
