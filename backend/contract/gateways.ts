import { z } from 'zod';
import { Id, Text, Timestamp } from './common.js';

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

export const GatewayCreate = z.strictObject({
  name: Text(200),
  url: GatewayUrl,
  token: z.string().min(1).max(4096).nullable().optional(),
  workspace_root: Text(1024).default('~/.openclaw'),
  disable_device_pairing: z.boolean().default(false),
  allow_insecure_tls: z.boolean().default(false),
  /** Trust exactly this certificate (its SHA-256 fingerprint, as a TLS refusal showed it) instead of CA verification. */
  tls_fingerprint: TlsFingerprint.nullable().optional(),
  /**
   * Save it even though it cannot be reached right now (it is connected when it comes up). Refusals
   * that a retry cannot fix — wrong token, TLS, too old — still refuse.
   */
  allow_offline: z.boolean().default(false),
  /** Use the token found in the auto-detected local gateway's config (never sent to the UI). */
  use_discovered_token: z.boolean().default(false),
});
export type GatewayCreate = z.infer<typeof GatewayCreate>;

export const GatewayUpdate = z.strictObject({
  name: Text(200).optional(),
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
});
export type GatewayUpdate = z.infer<typeof GatewayUpdate>;

export const GatewayParams = z.object({ gateway_id: Id });

export const GatewayConnectionTest = z.strictObject({
  url: GatewayUrl,
  token: z.string().min(1).max(4096).nullable().optional(),
  allow_insecure_tls: z.boolean().default(false),
  tls_fingerprint: TlsFingerprint.nullable().optional(),
  use_discovered_token: z.boolean().default(false),
});

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
