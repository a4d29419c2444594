import { z } from 'zod';

/*
 * OpenClaw gateway wire protocol 4 (verified against openclaw 2026.9.6): JSON text frames over one
 * WebSocket. Every inbound frame is parsed here; an invalid one is logged and dropped by the
 * connection, never thrown into the socket loop. Objects are `loose`: the gateway adds fields
 * freely between releases, and we only rely on the ones named.
 */

export const PROTOCOL_VERSION = 4;

export const GatewayErrorBody = z.looseObject({
  code: z.string().default('UNKNOWN'),
  message: z.string().default('gateway error'),
  details: z.record(z.string(), z.unknown()).optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
});
export type GatewayErrorBody = z.infer<typeof GatewayErrorBody>;

export const ResponseFrame = z.looseObject({
  type: z.literal('res'),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: GatewayErrorBody.optional(),
});
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const EventFrame = z.looseObject({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown().optional(),
  seq: z.number().optional(),
});
export type EventFrame = z.infer<typeof EventFrame>;

export const InboundFrame = z.discriminatedUnion('type', [ResponseFrame, EventFrame]);
export type InboundFrame = z.infer<typeof InboundFrame>;

export const ConnectChallenge = z.looseObject({ nonce: z.string().min(1), ts: z.number() });

export const HelloOk = z.looseObject({
  type: z.literal('hello-ok'),
  protocol: z.number(),
  server: z.looseObject({ version: z.string(), buildId: z.string().optional(), connId: z.string().optional() }),
  features: z
    .looseObject({
      methods: z.array(z.string()).default([]),
      events: z.array(z.string()).default([]),
      capabilities: z.array(z.string()).default([]),
    })
    .default({ methods: [], events: [], capabilities: [] }),
  auth: z
    .looseObject({
      method: z.string().optional(),
      role: z.string().optional(),
      scopes: z.array(z.string()).default([]),
      deviceToken: z.string().optional(),
    })
    .default({ scopes: [] }),
  policy: z.looseObject({ maxPayload: z.number().optional(), tickIntervalMs: z.number().optional() }).default({}),
  snapshot: z.looseObject({ configPath: z.string().optional(), stateDir: z.string().optional() }).optional(),
});
export type HelloOk = z.infer<typeof HelloOk>;

/** Operator scopes Mission Control asks for: read/write for runs, admin for agents and config. */
export const OPERATOR_SCOPES = ['operator.read', 'operator.write', 'operator.admin'] as const;

/** `client.id` is a closed enum on the gateway; `gateway-client` in `backend` mode is the one for us. */
export const CLIENT = { id: 'gateway-client', mode: 'backend' } as const;

export interface ConnectParamsInput {
  clientVersion: string;
  platform: string;
  token: string | null;
  deviceToken: string | null;
  device: { id: string; publicKey: string; signature: string; signedAt: number; nonce: string } | null;
}

export function connectParams(input: ConnectParamsInput) {
  // The gateway token when one is configured; else the device token it issued to us earlier.
  const auth = input.token ? { token: input.token } : input.deviceToken ? { deviceToken: input.deviceToken } : undefined;
  return {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client: {
      id: CLIENT.id,
      version: input.clientVersion,
      platform: input.platform,
      mode: CLIENT.mode,
      displayName: 'OpenClaw Mission Control',
    },
    role: 'operator',
    scopes: [...OPERATOR_SCOPES],
    caps: [],
    ...(auth && { auth }),
    locale: 'en-US',
    userAgent: `openclaw-mission-control/${input.clientVersion}`,
    ...(input.device && { device: input.device }),
  };
}

/**
 * The string a device signs (v3): `v3|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce|platform|deviceFamily`,
 * where token is the auth token, else the device token, else empty.
 */
export function signaturePayload(fields: {
  deviceId: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  token: string;
  nonce: string;
  platform: string;
  deviceFamily?: string;
}): string {
  return [
    'v3',
    fields.deviceId,
    CLIENT.id,
    CLIENT.mode,
    fields.role,
    fields.scopes.join(','),
    String(fields.signedAtMs),
    fields.token,
    fields.nonce,
    fields.platform.toLowerCase(),
    (fields.deviceFamily ?? '').toLowerCase(),
  ].join('|');
}
