import { randomUUID } from 'node:crypto';
import { platform as osPlatform } from 'node:os';
import type { default as WebSocket, ClientOptions } from 'ws';
import { onFirstUse } from '../core/on-first-use.js';
import { GatewayError, classifyGatewayError, classifySocketError } from './errors.js';
import { connectRequest, helloOf, helloRefusal } from './handshake.js';
import { ConnectChallenge, HelloOk, InboundFrame, type HelloOk as Hello } from './protocol.js';
import { createPendingRequests } from './pending-requests.js';
import { createReadyWaiters } from './ready-waiters.js';
import { reconnectDelayMs } from './redial-policy.js';
import { verifyingTlsConnect } from './tls.js';

/*
 * One persistent WebSocket to one gateway: handshake (challenge → signed connect → hello-ok),
 * requests with timeouts (including methods that answer twice, like `agent`), events, and
 * reconnects with backoff and jitter. Never throws out of the socket loop: bad frames are logged
 * and dropped, failures become classified GatewayErrors.
 */

import type { ConnectionOptions, ConnectionState, GatewayHello, RequestOptions } from './connection-types.js';

/** ws loads when the first gateway connection opens, not at start (docs/performance.md, "Backend cold start"). */
const loadWs = onFirstUse<typeof WebSocket>('ws');

export type { ConnectionOptions, ConnectionState, GatewayHello, RequestOptions } from './connection-types.js';

type EventListener = (event: string, payload: unknown) => void;
type StateListener = (state: ConnectionState, error: GatewayError | null) => void;

export function createGatewayConnection(options: ConnectionOptions) {
  const log = options.logger.child('gateway');
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 15_000;
  const reconnect = options.reconnect ?? { baseMs: 500, maxMs: 30_000 };
  const platform = osPlatform();
  const secure = /^wss:/i.test(options.url);
  let acceptedFingerprint: string | null = null;
  const tlsConnect = verifyingTlsConnect(
    { allowInsecure: options.allowInsecureTls, pinnedFingerprint: options.tlsFingerprint ?? null },
    (fingerprint) => (acceptedFingerprint = fingerprint),
  );

  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let hello: GatewayHello | null = null;
  let lastError: GatewayError | null = null;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let deviceToken = options.deviceToken;
  let closedByUs = false;
  const pending = createPendingRequests(requestTimeoutMs);
  const eventListeners = new Set<EventListener>();
  const stateListeners = new Set<StateListener>();
  const readyWaiters = createReadyWaiters();

  function setState(next: ConnectionState, error: GatewayError | null = null): void {
    state = next;
    if (error) lastError = error;
    if (next === 'connected') lastError = null;
    for (const listener of stateListeners) {
      try {
        listener(next, error);
      } catch (err) {
        // A listener (e.g. the one saving state to the database) must never break the socket loop.
        log.error('gateway.listener_failed', 'a state listener threw', { error: (err as Error).message });
      }
    }
    if (next === 'connected' && hello) readyWaiters.resolveAll(hello);
    else if ((next === 'failed' || next === 'closed') && error) readyWaiters.rejectAll(error);
    // Between retries: callers that prefer an answer now get the failure; the others wait for the next try.
    else if (next === 'waiting' && error) readyWaiters.rejectAll(error, (w) => w.failFast || reconnect === false);
  }

  function scheduleReconnect(error: GatewayError): void {
    if (closedByUs) return;
    if (reconnect === false || !error.retryable) {
      setState('failed', error);
      return;
    }
    const delay = reconnectDelayMs(attempt, reconnect, error.retryAfterMs); // the hint clamped: 2^31 ms must not become 1 ms
    attempt += 1;
    setState('waiting', error);
    retryTimer = setTimeout(open, delay);
    retryTimer.unref();
  }

  function open(): void {
    retryTimer = null;
    if (closedByUs) return;
    setState('connecting');
    let handshakeDone = false;
    let usingDeviceToken = false;
    let failure: GatewayError | null = null;
    const ws = new (loadWs())(options.url, {
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: 32 * 1024 * 1024,
      // wss: our own verdict on the certificate (tls.ts), so a refusal carries it and a pin is honoured.
      ...(secure && { createConnection: tlsConnect as unknown as ClientOptions['createConnection'] }),
    });
    socket = ws;
    const handshakeTimer = setTimeout(() => {
      failure = new GatewayError('timeout', 'no hello-ok within the handshake timeout');
      ws.terminate();
    }, handshakeTimeoutMs);
    const connectId = randomUUID();

    ws.on('message', (data) => {
      let frame: InboundFrame;
      try {
        const parsed = InboundFrame.safeParse(JSON.parse(String(data)));
        if (!parsed.success) throw new Error(parsed.error.message);
        frame = parsed.data;
      } catch (err) {
        // Only the kind of problem: a parser message can quote the frame, and frames can carry workspace files.
        log.warn('gateway.frame_invalid', 'dropped an invalid frame from the gateway', {
          error: err instanceof SyntaxError ? 'not JSON' : 'unexpected shape',
        });
        return;
      }
      if (!handshakeDone) {
        if (frame.type === 'event' && frame.event === 'connect.challenge') {
          const challenge = ConnectChallenge.safeParse(frame.payload);
          if (!challenge.success) {
            failure = new GatewayError('rejected', 'malformed connect.challenge from the gateway');
            ws.close();
            return;
          }
          const connect = connectRequest(options, challenge.data, deviceToken, platform);
          usingDeviceToken = connect.usingDeviceToken;
          ws.send(JSON.stringify({ type: 'req', id: connectId, method: 'connect', params: connect.params }));
          return;
        }
        if (frame.type === 'res' && frame.id === connectId) {
          clearTimeout(handshakeTimer);
          if (!frame.ok) {
            failure = classifyGatewayError(frame.error ?? { code: 'UNKNOWN', message: 'connect refused' });
            if (usingDeviceToken && options.token && (failure.code === 'token_mismatch' || failure.code === 'device_auth')) {
              // The device token was revoked or rotated away: forget it and retry at once with the gateway token.
              log.warn('gateway.device_token_dropped', 'the gateway refused our device token; retrying with the gateway token', {
                url: options.url,
              });
              deviceToken = null;
              failure = new GatewayError('starting', 'device token refused; retrying with the gateway token');
            }
            ws.close();
            return;
          }
          const parsed = HelloOk.safeParse(frame.payload);
          if (!parsed.success) {
            failure = new GatewayError('rejected', `unexpected hello from the gateway: ${parsed.error.issues[0]?.message ?? ''}`);
            ws.close();
            return;
          }
          const refused = acceptHello(parsed.data);
          if (refused) {
            failure = refused;
            ws.close();
            return;
          }
          handshakeDone = true;
          setState('connected');
        }
        return;
      }
      if (frame.type === 'event') {
        for (const listener of eventListeners) {
          try {
            listener(frame.event, frame.payload);
          } catch (err) {
            log.error('gateway.listener_failed', 'an event listener threw', { event: frame.event, error: (err as Error).message });
          }
        }
        return;
      }
      pending.answer(frame);
    });

    ws.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= classifySocketError(err);
    });

    ws.on('close', (code, reason) => {
      clearTimeout(handshakeTimer);
      if (socket === ws) socket = null;
      const wasConnected = handshakeDone;
      hello = wasConnected ? hello : null;
      const error =
        failure ?? new GatewayError('connection_lost', `socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
      pending.failAll(error);
      if (closedByUs) {
        setState('closed');
        return;
      }
      if (wasConnected) {
        log.warn('gateway.connection.lost', 'connection to the gateway lost; reconnecting', { url: options.url, code });
        attempt = 0;
      }
      scheduleReconnect(error);
    });
  }

  /** Check and record a hello; returns why it is refused, if it is. */
  function acceptHello(h: Hello): GatewayError | null {
    const refused = helloRefusal(h);
    if (refused) return refused;
    if (h.auth.deviceToken && h.auth.deviceToken !== deviceToken) {
      deviceToken = h.auth.deviceToken;
      try {
        options.onDeviceToken?.(h.auth.deviceToken);
      } catch (err) {
        log.error('gateway.listener_failed', 'saving the device token failed', { error: (err as Error).message });
      }
    }
    hello = helloOf(h, secure ? acceptedFingerprint : null);
    attempt = 0;
    log.info('gateway.connected', 'connected to the gateway', { url: options.url, version: hello.version, methods: hello.methods.length });
    return null;
  }

  open();

  return {
    get state(): ConnectionState {
      return state;
    },
    get hello(): GatewayHello | null {
      return hello;
    },
    get lastError(): GatewayError | null {
      return lastError;
    },

    /** Resolves once connected; rejects with the classified reason when it cannot be (or, one-shot, did not). */
    ready(timeoutMs = handshakeTimeoutMs + 5_000, opts: { failFast?: boolean } = {}): Promise<GatewayHello> {
      if (state === 'connected' && hello) return Promise.resolve(hello);
      if (state === 'failed' || state === 'closed')
        return Promise.reject(lastError ?? new GatewayError('connection_lost', 'connection closed'));
      // Between retries the last failure is the answer, unless the caller prefers to wait for the next try.
      if (opts.failFast && state === 'waiting' && lastError) return Promise.reject(lastError);
      return readyWaiters.wait(timeoutMs, opts.failFast ?? false, () => lastError ?? new GatewayError('timeout', 'not connected in time'));
    },

    async request<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<T> {
      const h = await this.ready();
      if (!h.methods.includes(method)) {
        // Unknown methods answer "missing scope: operator.admin" on the gateway: check first, say the truth.
        throw new GatewayError('method_not_advertised', `the gateway (${h.version}) does not offer ${method}`);
      }
      const ws = socket;
      if (!ws || ws.readyState !== ws.OPEN) throw new GatewayError('connection_lost', 'not connected');
      const id = randomUUID();
      return pending.wait<T>(id, method, opts, () => ws.send(JSON.stringify({ type: 'req', id, method, params })));
    },

    onEvent(listener: EventListener): () => void {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },

    onState(listener: StateListener): () => void {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },

    /** Closes for good; requests in flight are rejected with `detail`. Returns how many were. */
    close(detail = 'connection closed by Mission Control'): number {
      closedByUs = true;
      if (retryTimer) clearTimeout(retryTimer);
      const closing = new GatewayError('connection_lost', detail);
      const aborted = pending.size;
      pending.failAll(closing);
      readyWaiters.rejectAll(closing);
      if (socket) socket.close();
      else setState('closed');
      return aborted;
    },
  };
}

export type GatewayConnection = ReturnType<typeof createGatewayConnection>;
