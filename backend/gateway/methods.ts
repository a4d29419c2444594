import { z } from 'zod';

/*
 * Every gateway RPC method Mission Control calls, with the params it sends and the answer it
 * expects — the gateway's side of the wire as one table, like the route table is for the API.
 * `call()` (./call.ts) validates the params before sending and parses every answer here, at the
 * edge: a gateway that changed an answer is a named `answer_invalid` error that says which method
 * and which field, not an `undefined` three calls later.
 *
 * Params are closed (`strictObject`): they are exactly what we send. Answers are `looseObject`:
 * strict on the fields Mission Control reads, open to everything else the gateway adds between
 * releases. An answer we never read is only required to be an object. Shapes verified against
 * the real gateway (openclaw 2026.9.6, protocol 4) by test/integration/gateway-methods.test.ts.
 */

/** An answer nothing reads: the gateway's `{ok:true, …}` acknowledgement. */
const Ack = z.looseObject({});

const AgentId = z.string().min(1);

/** The approvals document (`exec.approvals.get`): its file and the hash a `set` compares against. */
const ApprovalsAnswer = z.looseObject({
  file: z.record(z.string(), z.unknown()),
  hash: z.string(),
  resolvedDefaults: z.looseObject({ security: z.string().optional(), ask: z.string().optional() }).optional(),
});

/** A session row as `sessions.list` gives it; its fields are read defensively by the callers. */
const SessionRow = z.record(z.string(), z.unknown());

export const GATEWAY_METHODS = {
  'agents.list': {
    params: z.strictObject({}),
    result: z.looseObject({ agents: z.array(z.looseObject({ id: z.string() })) }),
  },
  'agents.create': {
    params: z.strictObject({ name: z.string().min(1), workspace: z.string().optional() }),
    result: Ack,
  },
  'agents.update': {
    params: z.strictObject({ agentId: AgentId, name: z.string() }),
    result: Ack,
  },
  'agents.delete': {
    params: z.strictObject({ agentId: AgentId, deleteFiles: z.boolean() }),
    result: Ack,
  },
  'agents.files.list': {
    params: z.strictObject({ agentId: AgentId }),
    result: z.looseObject({ files: z.array(z.looseObject({ name: z.string(), missing: z.boolean().optional() })) }),
  },
  'agents.files.get': {
    params: z.strictObject({ agentId: AgentId, name: z.string() }),
    // A missing file comes as `{name, missing:true}` without content.
    result: z.looseObject({ file: z.looseObject({ content: z.string().optional(), missing: z.boolean().optional() }) }),
  },
  'agents.files.set': {
    params: z.strictObject({ agentId: AgentId, name: z.string(), content: z.string() }),
    result: Ack,
  },
  'cron.list': {
    params: z.strictObject({ includeDisabled: z.boolean().optional() }),
    result: z.looseObject({ jobs: z.array(z.looseObject({ id: z.string(), declarationKey: z.string().optional() })) }),
  },
  'cron.scratch.set': {
    params: z.strictObject({ id: z.string(), content: z.string().nullable() }),
    result: Ack,
  },
  'config.get': {
    params: z.strictObject({}),
    // `parsed` (newer) or `config` is the config object; `hash` is the compare-and-swap base for config.patch.
    result: z.looseObject({ hash: z.string(), path: z.string().optional(), parsed: z.unknown(), config: z.unknown() }),
  },
  'config.patch': {
    params: z.strictObject({ raw: z.string(), baseHash: z.string() }),
    result: Ack,
  },
  'exec.approvals.get': {
    params: z.strictObject({}),
    result: ApprovalsAnswer,
  },
  'exec.approvals.set': {
    params: z.strictObject({ file: z.record(z.string(), z.unknown()), baseHash: z.string() }),
    result: Ack,
  },
  wake: {
    params: z.strictObject({ mode: z.enum(['now', 'next-heartbeat']), text: z.string(), agentId: AgentId, sessionKey: z.string() }),
    result: Ack,
  },
  'chat.send': {
    params: z.strictObject({ sessionKey: z.string(), message: z.string(), idempotencyKey: z.string(), deliver: z.boolean().optional() }),
    result: Ack,
  },
  'sessions.list': {
    params: z.strictObject({ limit: z.number().int().positive().optional(), agentId: AgentId.optional() }),
    result: z.looseObject({ sessions: z.array(SessionRow), count: z.number().optional(), totalCount: z.number().optional() }),
  },
  'sessions.reset': {
    params: z.strictObject({ key: z.string() }),
    result: Ack,
  },
  'sessions.subscribe': {
    params: z.strictObject({}),
    result: Ack,
  },
  'logs.tail': {
    params: z.strictObject({ limit: z.number().int().positive(), maxBytes: z.number().int().positive() }),
    result: z.looseObject({ file: z.string().optional(), lines: z.array(z.unknown()), truncated: z.boolean().optional() }),
  },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

export type GatewayMethod = keyof typeof GATEWAY_METHODS;
export type GatewayParams<M extends GatewayMethod> = z.input<(typeof GATEWAY_METHODS)[M]['params']>;
export type GatewayResult<M extends GatewayMethod> = z.output<(typeof GATEWAY_METHODS)[M]['result']>;
