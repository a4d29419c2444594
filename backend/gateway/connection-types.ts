import type { Logger } from '../logging.js';
import type { DeviceIdentity } from './device-identity.js';

/* The shapes of one gateway connection: its states, what the handshake learned, how it is opened. */

export type ConnectionState = 'connecting' | 'connected' | 'waiting' | 'failed' | 'closed';

export interface GatewayHello {
  version: string;
  protocol: number;
  methods: string[];
  events: string[];
  capabilities: string[];
  scopes: string[];
  /** How the gateway authenticated us: `token` or `device-token`. */
  authMethod: string | null;
  connectedAt: Date;
  /** wss: the SHA-256 of the certificate this connection accepted (what trust on first use pins); ws: null. */
  tlsFingerprint?: string | null;
}

export interface ConnectionOptions {
  url: string;
  token: string | null;
  allowInsecureTls: boolean;
  /** The pinned certificate (SHA-256) for a wss gateway: accepted exactly, instead of CA verification. */
  tlsFingerprint?: string | null;
  identity: DeviceIdentity;
  /** The device token the gateway issued earlier (used when no gateway token is configured). */
  deviceToken: string | null;
  /** Called when the gateway issues a (new) device token, to persist it. */
  onDeviceToken?: (token: string) => void;
  logger: Logger;
  clientVersion: string;
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Reconnect backoff; `false` = a one-shot connection (connection tests). */
  reconnect?: { baseMs: number; maxMs: number } | false;
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * Some methods answer twice for one id (`agent`: an `accepted` ack, then the result). Return
   * false for a payload that is not the final one; the request keeps waiting.
   */
  isFinal?: (payload: unknown) => boolean;
}
