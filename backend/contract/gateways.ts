import { z } from 'zod';
import { Id, PageQuery, QueryBool, Text, Timestamp, page } from './common.js';
import { defineRoute } from './route.js';

/** ws:// or wss:// with an explicit port, as the web edition's form requires. */
export const GatewayUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        // No query string or user:password: a token belongs in the token field, not in a URL that gets logged.
        const plain = url.search === '' && url.username === '' && url.password === '';
        return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.port !== '' && url.hostname !== '' && plain;
      } catch {
        return false;
      }
    },
    { message: 'must be a ws:// or wss:// URL with an explicit port and no query or credentials, e.g. ws://127.0.0.1:18789' },
  );

/** Loopback host names (a URL's `hostname`): traffic to them never leaves this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** `ws://` to a host that is not this machine: the gateway token (and device token) would travel in clear. */
export function isCleartextRemote(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'ws:' && !isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Plain ws:// to another machine is refused unless the user confirms it (`allow_cleartext: true`):
 * the token is sent in clear there, readable and replayable by anyone on the path.
 */
function cleartextNeedsConsent(value: { url?: string | undefined; allow_cleartext?: boolean | undefined }, ctx: z.RefinementCtx): void {
  if (value.url !== undefined && isCleartextRemote(value.url) && value.allow_cleartext !== true) {
    ctx.addIssue({
      code: 'custom',
      path: ['allow_cleartext'],
      message:
        'ws:// to a host other than this machine sends the gateway token in clear: use wss://, or send allow_cleartext: true to confirm',
    });
  }
}

/** A TLS certificate's SHA-256 fingerprint as users paste it: 64 hex digits, colons optional, any case (stored `AB:CD:…`). */
export const TlsFingerprint = z
  .string()
  .trim()
  .regex(/^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 64 hex digits, colons optional');

/** The certificate a TLS handshake showed (public): what to compare with the gateway host before pinning it. */
export const PeerCertificate = z.object({
  /** SHA-256 of the certificate, `AB:CD:…` — what `openssl x509 -noout -fingerprint -sha256` prints. */
  fingerprint_sha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  valid_from: z.string(),
  valid_to: z.string(),
  self_signed: z.boolean(),
});

/** A classified gateway failure: stable code, plain explanation, next step, and what was said. */
export const GatewayFailure = z.object({
  code: z.string(),
  message: z.string(),
  next_step: z.string(),
  detail: z.string(),
  /** `tls`: the certificate the gateway presented. */
  certificate: PeerCertificate.optional(),
  at: Timestamp.optional(),
});

/** Secrets are write-only: reads say `has_token`, never the token. */
export const GatewayRead = z.object({
  id: Id,
  name: z.string(),
  url: z.string(),
  has_token: z.boolean(),
  workspace_root: z.string(),
  disable_device_pairing: z.boolean(),
  /** Trust on first use: the first certificate seen is pinned (`tls_fingerprint`), a later different one is refused. */
  allow_insecure_tls: z.boolean(),
  /** The pinned TLS certificate (SHA-256, `AB:CD:…`): a wss connection accepts exactly this one (public, not a secret). */
  tls_fingerprint: z.string().nullable(),
  main_agent_id: Id.nullable(),
  /** Live state of Mission Control's connection to it. */
  connection_state: z.enum(['idle', 'connecting', 'connected', 'waiting', 'failed', 'closed']),
  server_version: z.string().nullable(),
  protocol_version: z.number().int().nullable(),
  last_connected_at: Timestamp.nullable(),
  last_error: GatewayFailure.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type GatewayRead = z.infer<typeof GatewayRead>;

/** A pinned certificate on a `ws://` URL would silently do nothing: refuse it where it is given. */
function pinNeedsTls(value: { url: string; tls_fingerprint?: string | null | undefined }, ctx: z.RefinementCtx): void {
  if (value.tls_fingerprint && !/^wss:/i.test(value.url)) {
    ctx.addIssue({ code: 'custom', path: ['tls_fingerprint'], message: 'a certificate can only be pinned for a wss:// gateway URL' });
  }
}

export const GatewayCreate = z
  .strictObject({
    name: Text(200),
    url: GatewayUrl,
    token: z.string().min(1).max(4096).nullable().optional(),
    workspace_root: Text(1024).default('~/.openclaw'),
    disable_device_pairing: z.boolean().default(false),
    /** Accept a certificate no CA vouches for: the one seen at the first connection is pinned (trust on first use). */
    allow_insecure_tls: z.boolean().default(false),
    /** Trust exactly this certificate (its SHA-256 fingerprint, as a TLS refusal showed it) instead of CA verification. */
    tls_fingerprint: TlsFingerprint.nullable().optional(),
    /** Confirms a plain ws:// URL to another machine: the token then travels in clear. */
    allow_cleartext: z.boolean().default(false),
    /**
     * Save it even though it cannot be reached right now (it is connected when it comes up). Refusals
     * that a retry cannot fix — wrong token, TLS, too old — still refuse.
     */
    allow_offline: z.boolean().default(false),
    /** Use the token found in the auto-detected local gateway's config (never sent to the UI); only for that gateway's URL. */
    use_discovered_token: z.boolean().default(false),
  })
  .superRefine(pinNeedsTls)
  .superRefine(cleartextNeedsConsent);
export type GatewayCreate = z.infer<typeof GatewayCreate>;

export const GatewayUpdate = z
  .strictObject({
    name: Text(200).optional(),
    /** Another host (or port) drops the stored device token and pin, and needs `token` given again (or `null`). */
    url: GatewayUrl.optional(),
    /** `null` clears the stored token. */
    token: z.string().min(1).max(4096).nullable().optional(),
    workspace_root: Text(1024).optional(),
    disable_device_pairing: z.boolean().optional(),
    allow_insecure_tls: z.boolean().optional(),
    /** Pin this certificate (SHA-256); `null` removes the pin (back to CA verification). */
    tls_fingerprint: TlsFingerprint.nullable().optional(),
    /** As on create: save new connection settings even if the gateway cannot be reached right now. */
    allow_offline: z.boolean().default(false),
    /** As on create: confirms a new plain ws:// URL to another machine. */
    allow_cleartext: z.boolean().default(false),
  })
  .superRefine(cleartextNeedsConsent);
export type GatewayUpdate = z.infer<typeof GatewayUpdate>;

export const GatewayParams = z.object({ gateway_id: Id });

export const GatewayConnectionTest = z
  .strictObject({
    url: GatewayUrl,
    token: z.string().min(1).max(4096).nullable().optional(),
    allow_insecure_tls: z.boolean().default(false),
    tls_fingerprint: TlsFingerprint.nullable().optional(),
    allow_cleartext: z.boolean().default(false),
    use_discovered_token: z.boolean().default(false),
  })
  .superRefine(pinNeedsTls)
  .superRefine(cleartextNeedsConsent);

export const GatewayLiveStatus = z.object({
  ok: z.boolean(),
  gateway_id: Id.nullable(),
  state: z.string(),
  server_version: z.string().nullable(),
  protocol_version: z.number().int().nullable(),
  methods: z.array(z.string()),
  events: z.array(z.string()),
  capabilities: z.array(z.string()),
  scopes: z.array(z.string()),
  /** `token` (the gateway token) or `device-token` (the token the gateway issued to Mission Control's device). */
  auth_method: z.string().nullable(),
  error: GatewayFailure.nullable(),
});
export type GatewayLiveStatus = z.infer<typeof GatewayLiveStatus>;

export const GatewayStatusQuery = z.object({ gateway_id: Id.optional(), board_id: Id.optional() });

/** A gateway found on this machine (`~/.openclaw/openclaw.json`); offered, never added silently. */
export const DiscoveredGateway = z.object({
  found: z.boolean(),
  config_path: z.string(),
  url: z.string().nullable(),
  has_token: z.boolean(),
  already_added_gateway_id: Id.nullable(),
  problem: z.string().nullable(),
});

/**
 * `DELETE` of a board or a gateway: its agents are deleted on the gateway first. `force=true` deletes
 * the records even when that cannot be done (gateway unreachable): the agents left behind are named in
 * the answer and in the activity feed.
 */
export const TeardownQuery = z.object({ force: QueryBool.optional() });

/** What became of one agent when its board or gateway was deleted. */
export const TeardownAgent = z.object({
  id: Id,
  name: z.string(),
  /** Its id on the gateway (`openclaw agents delete <this>` removes it by hand). */
  gateway_agent_id: z.string(),
  /** `deleted`: gone from the gateway with its files and cron jobs; `left_on_gateway`: only the record was deleted (force). */
  outcome: z.enum(['deleted', 'left_on_gateway']),
  detail: z.string().nullable(),
});
export type TeardownAgent = z.infer<typeof TeardownAgent>;

export const TeardownResult = z.object({ ok: z.literal(true), agents: z.array(TeardownAgent) });
export type TeardownResult = z.infer<typeof TeardownResult>;

/** Gateways (the user API). */
export const GATEWAY_ROUTES = {
  listGateways: defineRoute({
    method: 'get',
    path: '/api/v1/gateways',
    operationId: 'list_gateways',
    summary: 'List gateways',
    tags: ['gateways'],
    auth: 'user',
    query: PageQuery,
    response: page(GatewayRead),
  }),
  createGateway: defineRoute({
    method: 'post',
    path: '/api/v1/gateways',
    operationId: 'create_gateway',
    summary: 'Add a gateway (its main agent record is created with it)',
    tags: ['gateways'],
    auth: 'user',
    body: GatewayCreate,
    response: GatewayRead,
  }),
  // Fixed paths before `{gateway_id}`: Express matches in order.
  testGateway: defineRoute({
    method: 'post',
    path: '/api/v1/gateways/test',
    operationId: 'test_gateway',
    summary: 'Test connection settings before saving (always 200; `ok` and `error` say how it went)',
    tags: ['gateways'],
    auth: 'user',
    body: GatewayConnectionTest,
    response: GatewayLiveStatus,
  }),
  discoverGateway: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/discover',
    operationId: 'discover_gateway',
    summary: 'The OpenClaw gateway configured on this machine, if any (offered, never added silently)',
    tags: ['gateways'],
    auth: 'user',
    response: DiscoveredGateway,
  }),
  gatewaysStatus: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/status',
    operationId: 'gateways_status',
    summary: 'Live status of a gateway by ?gateway_id or ?board_id (web-edition path)',
    tags: ['gateways'],
    auth: 'user',
    query: GatewayStatusQuery,
    response: GatewayLiveStatus,
  }),
  gatewayStatus: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/{gateway_id}/status',
    operationId: 'gateway_status',
    summary: 'Live status: connected, version, protocol, capabilities, classified last error',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    response: GatewayLiveStatus,
  }),
  getGateway: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/{gateway_id}',
    operationId: 'get_gateway',
    summary: 'Get a gateway',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    response: GatewayRead,
  }),
  updateGateway: defineRoute({
    method: 'patch',
    path: '/api/v1/gateways/{gateway_id}',
    operationId: 'update_gateway',
    summary: 'Update a gateway',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    body: GatewayUpdate,
    response: GatewayRead,
  }),
  deleteGateway: defineRoute({
    method: 'delete',
    path: '/api/v1/gateways/{gateway_id}',
    operationId: 'delete_gateway',
    summary: 'Delete a gateway that has no boards: its main agent on the gateway first (409 if unreachable, unless ?force=true)',
    tags: ['gateways'],
    auth: 'user',
    params: GatewayParams,
    query: TeardownQuery,
    response: TeardownResult,
  }),
} as const;
