import type { ConnectionOptions, GatewayHello } from './connection-types.js';
import { signConnect } from './device-identity.js';
import { GatewayError } from './errors.js';
import { OPERATOR_SCOPES, PROTOCOL_VERSION, connectParams, type HelloOk } from './protocol.js';

/*
 * The two handshake decisions of a connection, without the socket: what `connect` sends for a
 * challenge (which token, the signed device block), and whether a hello-ok is acceptable.
 */

/**
 * The `connect` params for a challenge. Reconnects use the device token the gateway issued to us
 * when we have one; the gateway token is the fallback (first connect, or a device token it no longer accepts).
 */
export function connectRequest(
  options: Pick<ConnectionOptions, 'identity' | 'token' | 'clientVersion'>,
  challenge: { nonce: string; ts: number },
  deviceToken: string | null,
  platform: string,
) {
  const usingDeviceToken = deviceToken !== null;
  const auth = usingDeviceToken ? { token: null, deviceToken } : { token: options.token, deviceToken: null };
  const device = signConnect(options.identity, challenge, auth, platform);
  const params = connectParams({ clientVersion: options.clientVersion, platform, token: auth.token, deviceToken: auth.deviceToken, device });
  return { params, usingDeviceToken };
}

/** Why a hello-ok is refused (another protocol, scopes cleared), or null. */
export function helloRefusal(h: HelloOk): GatewayError | null {
  if (h.protocol !== PROTOCOL_VERSION) return new GatewayError('protocol_mismatch', `the gateway answered with protocol ${h.protocol}`);
  const missing = OPERATOR_SCOPES.filter((s) => !h.auth.scopes.includes(s));
  // Without a paired device the gateway connects but clears every scope: say so now, not on the first call.
  if (missing.length > 0)
    return new GatewayError('missing_scope', `granted scopes: [${h.auth.scopes.join(', ')}]; missing ${missing.join(', ')}`);
  return null;
}

/** What the rest of Mission Control knows of an accepted hello. */
export function helloOf(h: HelloOk, tlsFingerprint: string | null): GatewayHello {
  return {
    version: h.server.version,
    protocol: h.protocol,
    methods: h.features.methods,
    events: h.features.events,
    capabilities: h.features.capabilities,
    scopes: h.auth.scopes,
    authMethod: h.auth.method ?? null,
    connectedAt: new Date(),
    tlsFingerprint,
  };
}
