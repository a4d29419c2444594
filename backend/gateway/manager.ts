import type { SecretStore } from '../secret-store.js';
import type { Logger } from '../logging.js';
import { assertCompatible } from './compat.js';
import { call } from './call.js';
import { createGatewayConnection, type GatewayConnection, type GatewayHello } from './connection.js';
import { createCredentialVault } from './credential-vault.js';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from './device-identity.js';
import { GatewayError, isTransientGatewayError } from './errors.js';
import { failedConnection } from './failed-connection.js';
import { createRedialGate, DEFAULT_REDIAL, type RedialSchedule } from './redial-policy.js';

/**
 * A saved gateway's connection settings. `token` and `deviceToken` are the columns as stored: sealed
 * by the OS keychain in the desktop app (backend/gateway/credential-vault.ts), plain otherwise. The
 * manager opens them only when it dials.
 */
export interface GatewayTarget {
  id: string;
  url: string;
  token: string | null;
  allowInsecureTls: boolean;
  /** The pinned TLS certificate (SHA-256), if the user trusted one. */
  tlsFingerprint?: string | null;
  deviceToken: string | null;
}

/** The connection settings of a saved gateway row (the one place a row becomes a target). */
export const gatewayTarget = (row: {
  id: string;
  url: string;
  token: string | null;
  allowInsecureTls: boolean;
  tlsFingerprint: string | null;
  deviceToken: string | null;
}): GatewayTarget => ({
  id: row.id,
  url: row.url,
  token: row.token,
  allowInsecureTls: row.allowInsecureTls,
  tlsFingerprint: row.tlsFingerprint,
  deviceToken: row.deviceToken,
});

/** Where the manager keeps what it learns; the backend backs it with the gateways table. */
export interface GatewayStateStore {
  saveDeviceToken(gatewayId: string, token: string): void;
  saveHello(gatewayId: string, hello: GatewayHello): void;
  saveError(gatewayId: string, error: GatewayError): void;
  /** Trust on first use: the certificate an `allowInsecureTls` gateway without a pin presented at its first successful connect. */
  saveFirstUsePin(gatewayId: string, fingerprint: string): void;
}

export interface GatewayManagerOptions {
  identityFile: string;
  /** Seals the identity's private key and the gateways' tokens at rest (default: 0600 files, plain). */
  secretStore?: SecretStore;
  logger: Logger;
  clientVersion: string;
  minVersion?: string;
  store: GatewayStateStore;
  requestTimeoutMs?: number;
  /** When a refused gateway (wrong token, TLS, missing scope…) is dialled again (default: 5 s doubling to 5 min). */
  redial?: RedialSchedule;
  /** The clock of the redial schedule (tests). */
  nowMs?: () => number;
}

/** What requests in flight are rejected with when Mission Control stops. */
export const STOPPING_DETAIL = 'Mission Control is stopping';

/** An event from one of the saved gateways' persistent connections. */
export type GatewayEventListener = (gatewayId: string, event: string, payload: unknown) => void;

/** A saved gateway's connection changed state (called after what it learned is saved to the store). */
export type GatewayStatusListener = (gatewayId: string) => void;

/**
 * Subscribing to the session index makes the gateway send `sessions.changed` events, which name the
 * agent and the run (`{agentId, sessionKey, runId, phase:"start"|"end"|"error", session:{lastRunError}}`).
 * Without it an operator connection only sees `heartbeat` events, which do not say which agent ran.
 * The gateway forgets subscriptions on reconnect, so every (re)connect subscribes again.
 */
const SESSION_SUBSCRIBE = 'sessions.subscribe' as const;
/** The waits before each new try of a subscription the gateway refused for a moment, in ms. */
export const SUBSCRIBE_RETRY_WAITS_MS = [2_000, 5_000, 15_000, 30_000];

const sameTarget = (a: GatewayTarget, b: GatewayTarget) =>
  a.url === b.url &&
  a.token === b.token &&
  a.allowInsecureTls === b.allowInsecureTls &&
  (a.tlsFingerprint ?? null) === (b.tlsFingerprint ?? null);

/**
 * One persistent connection per gateway, created on first use and replaced when the gateway's
 * URL, token or TLS settings (insecure switch, pinned certificate) change. Connection tests (before a gateway is saved) use a one-shot
 * connection that never reconnects.
 */
export function createGatewayManager(options: GatewayManagerOptions) {
  let identity: DeviceIdentity | null = null;
  const getIdentity = () => (identity ??= loadOrCreateDeviceIdentity(options.identityFile, Date.now(), options.secretStore));
  const credentials = createCredentialVault(options.secretStore);
  const connections = new Map<string, { target: GatewayTarget; connection: GatewayConnection; unreadable?: true }>();
  // A gateway pairs our device (and issues its device token) on the first connect, which is usually
  // the connection test before the gateway is saved: keep that token for the gateway saved next.
  const probeDeviceTokens = new Map<string, string>();
  const eventListeners = new Set<GatewayEventListener>();
  const statusListeners = new Set<GatewayStatusListener>();
  const log = options.logger.child('gateway');
  const redials = createRedialGate(options.redial ?? DEFAULT_REDIAL, options.nowMs);
  let stopped = false;

  /**
   * Subscribe this connection to session events. A refusal the gateway calls temporary (a timeout on a
   * loaded gateway, `UNAVAILABLE` while it starts) is tried again while the connection is the current
   * one: without the subscription no run failure of this gateway would reach the ladder's trail.
   */
  function subscribeSessions(gatewayId: string, connection: GatewayConnection, attempt = 0): void {
    if (eventListeners.size === 0 || !connection.hello?.methods.includes(SESSION_SUBSCRIBE)) return;
    call(connection, SESSION_SUBSCRIBE, {}).catch((err: unknown) => {
      const wait = SUBSCRIBE_RETRY_WAITS_MS[attempt];
      const retry = err instanceof GatewayError && isTransientGatewayError(err) && wait !== undefined;
      // Reasons from the gateway's side are extra evidence: without them the ladder still works.
      log.warn('gateway.subscribe_failed', 'subscribing to session events failed', {
        gateway_id: gatewayId,
        error: err instanceof GatewayError ? (err.gatewayCode ?? err.code) : (err as Error).message,
        attempt: attempt + 1,
        retry_in_ms: retry ? wait : null,
      });
      if (!retry) return;
      const timer = setTimeout(() => {
        const current = !stopped && connections.get(gatewayId)?.connection === connection && connection.state === 'connected';
        if (current) subscribeSessions(gatewayId, connection, attempt + 1);
      }, wait);
      timer.unref();
    });
  }

  /**
   * An "allow insecure" gateway with no pin yet gets the certificate of its first successful connect
   * pinned (saved, and the live entry's target updated so the saved row's target still matches it).
   */
  function pinOnFirstUse(target: GatewayTarget, hello: GatewayHello, connection: GatewayConnection): void {
    const seen = hello.tlsFingerprint;
    if (!target.allowInsecureTls || target.tlsFingerprint || !seen) return;
    options.store.saveFirstUsePin(target.id, seen);
    // Entries keep the target as stored (sealed columns), so match the entry by its connection.
    const entry = connections.get(target.id);
    if (entry?.connection === connection) entry.target = { ...entry.target, tlsFingerprint: seen };
  }

  /** `target` with plain credentials (a probe's are plain already; a saved gateway's are opened by `connection`). */
  function open(target: GatewayTarget, oneShot: boolean): GatewayConnection {
    const connection = createGatewayConnection({
      url: target.url,
      token: target.token,
      allowInsecureTls: target.allowInsecureTls,
      tlsFingerprint: target.tlsFingerprint ?? null,
      identity: getIdentity(),
      deviceToken: target.deviceToken,
      onDeviceToken: oneShot
        ? (token) => probeDeviceTokens.set(target.url, token)
        : (token) => options.store.saveDeviceToken(target.id, credentials.seal(token)),
      logger: options.logger,
      clientVersion: options.clientVersion,
      requestTimeoutMs: options.requestTimeoutMs,
      reconnect: oneShot ? false : undefined,
    });
    if (!oneShot) {
      connection.onEvent((event, payload) => {
        for (const listener of eventListeners) {
          try {
            listener(target.id, event, payload);
          } catch (err) {
            log.error('gateway.listener_failed', 'an event listener threw', { event, error: (err as Error).message });
          }
        }
      });
      connection.onState((state, error) => {
        if (state === 'failed') redials.refused(target.id);
        if (state === 'connected') redials.reset(target.id);
        if (state === 'connected' && connection.hello) {
          try {
            pinOnFirstUse(target, connection.hello, connection);
            assertCompatible(connection.hello, options.minVersion);
            options.store.saveHello(target.id, connection.hello);
            subscribeSessions(target.id, connection);
          } catch (err) {
            options.store.saveError(target.id, err as GatewayError);
          }
        } else if (error) {
          options.store.saveError(target.id, error);
        }
        for (const listener of statusListeners) {
          try {
            listener(target.id);
          } catch (err) {
            log.error('gateway.listener_failed', 'a status listener threw', { state, error: (err as Error).message });
          }
        }
      });
    }
    return connection;
  }

  function notifyStatus(gatewayId: string): void {
    for (const listener of statusListeners) {
      try {
        listener(gatewayId);
      } catch (err) {
        log.error('gateway.listener_failed', 'a status listener threw', { state: 'failed', error: (err as Error).message });
      }
    }
  }

  /**
   * The saved gateway's tokens, opened. A device token that cannot be opened is dropped (the gateway
   * issues a new one on the next connect with the gateway token); a gateway token that cannot be
   * opened is the reason the connection fails — unless a readable device token can still connect.
   */
  function openTarget(target: GatewayTarget): GatewayTarget | GatewayError {
    const token = credentials.tryOpen(target.token);
    const deviceToken = credentials.tryOpen(target.deviceToken);
    const unreadable = token.unreadable ?? (target.token === null ? deviceToken.unreadable : null);
    if (unreadable && deviceToken.value === null) return unreadable;
    if (token.unreadable || deviceToken.unreadable) {
      log.warn('secrets.credentials_unreadable', 'a saved gateway credential could not be opened', {
        gateway_id: target.id,
        gateway_token: token.unreadable ? 'unreadable' : 'ok',
        device_token: deviceToken.unreadable ? 'unreadable (dropped)' : 'ok',
      });
    }
    return { ...target, token: token.value, deviceToken: deviceToken.value };
  }

  return {
    identity: getIdentity,
    /** Seals and opens the gateways' tokens at rest (the services write columns with it). */
    credentials,

    /**
     * The live connection for a gateway (created or replaced as needed). A failed one (refused for a
     * reason a retry cannot fix by itself) is dialled afresh on the redial schedule — the fix may have
     * happened on the gateway side (device approved, gateway upgraded) — but not on every use: until
     * then callers get the failed connection and its reason. New settings (URL, token, TLS) dial at once.
     */
    connection(target: GatewayTarget): GatewayConnection {
      if (stopped) throw new GatewayError('connection_lost', STOPPING_DETAIL);
      const existing = connections.get(target.id);
      const same = existing !== undefined && sameTarget(existing.target, target);
      // Credentials that could not be opened stay unreadable until the stored ones change (re-entered).
      if (existing?.unreadable && same && existing.target.deviceToken === target.deviceToken) return existing.connection;
      // A failed connection (refused for a reason a retry cannot fix by itself) is dialled afresh on the
      // redial schedule, not on every use.
      if (existing && same && existing.connection.state !== 'closed') {
        if (existing.connection.state !== 'failed' || !redials.mayRedial(target.id)) return existing.connection;
      }
      if (!same) redials.reset(target.id);
      existing?.connection.close();
      const opened = openTarget(target);
      if (opened instanceof GatewayError) {
        const connection = failedConnection(opened);
        connections.set(target.id, { target, connection, unreadable: true });
        options.store.saveError(target.id, opened);
        notifyStatus(target.id);
        return connection;
      }
      let plain = opened;
      const fromProbe = plain.deviceToken === null ? probeDeviceTokens.get(target.url) : undefined;
      if (fromProbe) {
        options.store.saveDeviceToken(target.id, credentials.seal(fromProbe));
        probeDeviceTokens.delete(target.url);
        plain = { ...plain, deviceToken: fromProbe };
      }
      const connection = open(plain, false);
      // Kept with the target as stored: the next call compares stored columns, never plain tokens.
      connections.set(target.id, { target, connection });
      return connection;
    },

    /** A connected, compatible gateway's hello; throws the classified reason otherwise. */
    async ready(target: GatewayTarget, timeoutMs?: number, opts: { failFast?: boolean } = {}): Promise<GatewayHello> {
      const hello = await this.connection(target).ready(timeoutMs, opts);
      assertCompatible(hello, options.minVersion);
      return hello;
    },

    /** Test a gateway that may not be saved yet: connect once, check compatibility, disconnect. */
    async probe(
      target: Omit<GatewayTarget, 'id' | 'deviceToken'> & { deviceToken?: string | null },
      timeoutMs = 20_000,
    ): Promise<GatewayHello> {
      const connection = open({ id: 'probe', deviceToken: target.deviceToken ?? null, ...target }, true);
      try {
        const hello = await connection.ready(timeoutMs);
        assertCompatible(hello, options.minVersion);
        return hello;
      } finally {
        connection.close();
      }
    },

    /** What is known right now, without waiting. */
    status(gatewayId: string) {
      const entry = connections.get(gatewayId);
      if (!entry) return { state: 'idle' as const, hello: null, error: null };
      return { state: entry.connection.state, hello: entry.connection.hello, error: entry.connection.lastError };
    },

    /**
     * Events of every saved gateway's connection (never of one-shot probes), tagged with the gateway.
     * While at least one listener is registered, connections subscribe to the gateway's session
     * events (see SESSION_SUBSCRIBE). Returns the unsubscribe function.
     */
    onEvent(listener: GatewayEventListener): () => void {
      const first = eventListeners.size === 0;
      eventListeners.add(listener);
      if (first) {
        for (const [gatewayId, { connection }] of connections)
          if (connection.state === 'connected') subscribeSessions(gatewayId, connection);
      }
      return () => eventListeners.delete(listener);
    },

    /** State changes of every saved gateway's connection (connected, waiting, failed, …). Returns the unsubscribe function. */
    onStatus(listener: GatewayStatusListener): () => void {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },

    /** When a refused gateway will be dialled again on its own (null: not waiting for a redial). */
    redialAt(gatewayId: string): Date | null {
      const at = connections.get(gatewayId)?.connection.state === 'failed' ? redials.notBefore(gatewayId) : null;
      return at === null ? null : new Date(at);
    },

    /** Drop a gateway's connection; the next use dials at once (a user's re-test, a deleted gateway). */
    forget(gatewayId: string): void {
      connections.get(gatewayId)?.connection.close();
      connections.delete(gatewayId);
      redials.reset(gatewayId);
    },

    /** Close every connection; requests in flight are rejected with `detail`. Returns how many were. */
    closeAll(detail?: string): number {
      let aborted = 0;
      for (const { connection } of connections.values()) aborted += connection.close(detail);
      connections.clear();
      return aborted;
    },

    /** Mission Control is stopping: close everything (rejecting requests in flight) and open nothing new. */
    shutdown(): number {
      stopped = true;
      return this.closeAll(STOPPING_DETAIL);
    },
  };
}

export type GatewayManager = ReturnType<typeof createGatewayManager>;
export { GatewayError };
