import WebSocket from 'ws';

/*
 * A deliberately minimal protocol-4 client, independent of the product's backend/gateway client, so
 * integration tests can check gateway state with something that shares no code with what they test.
 * It connects as `gateway-client`/`backend` without a device identity: on loopback that is the
 * reserved local-backend path that keeps the requested scopes (any other combination gets none).
 */

const SCOPES = ['operator.read', 'operator.write', 'operator.admin'];

export interface RawEvent {
  event: string;
  payload: unknown;
  seq?: number;
}

/** A `res` with ok:false, or a handshake failure; `code` is the gateway's error code. */
export class RawRpcError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details?: Record<string, unknown>,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RawRpcError';
  }
}

export interface RawConnection {
  /** The `hello-ok` payload. */
  hello: Record<string, unknown>;
  /** Resolves with the first `res` for this id (note: `agent` sends a second one, which is ignored). */
  request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Every event seen since connect, in order. */
  events: RawEvent[];
  /** Resolves with the first event (already seen or future) that matches. */
  waitForEvent(match: (event: RawEvent) => boolean, timeoutMs?: number): Promise<RawEvent>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function toError(error: unknown): RawRpcError {
  const e = (error ?? {}) as Record<string, unknown>;
  return new RawRpcError(
    String(e.message ?? 'gateway error'),
    String(e.code ?? 'UNKNOWN'),
    e.details as Record<string, unknown> | undefined,
    e.retryable === true,
    typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
  );
}

export function connectRaw(url: string, token: string, timeoutMs = 10_000): Promise<RawConnection> {
  // wss: the harness talks to a test gateway's self-signed certificate (the product's checks are what tests verify).
  const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, rejectUnauthorized: false });
  const pending = new Map<string, Pending>();
  const events: RawEvent[] = [];
  const listeners = new Set<(event: RawEvent) => void>();
  let nextId = 1;

  const send = (method: string, params: unknown, ms: number): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) return reject(new RawRpcError(`${method}: socket is not open`, 'CLOSED'));
      const id = `raw-${nextId++}`;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new RawRpcError(`${method}: no response within ${ms} ms`, 'TIMEOUT'));
      }, ms);
      pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });

  const failAll = (error: Error): void => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    pending.clear();
  };

  ws.on('message', (data) => {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return; // not ours to judge here; the product's client has the frame-validation tests
    }
    if (frame.type === 'res' && typeof frame.id === 'string') {
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok === true) p.resolve(frame.payload);
      else p.reject(toError(frame.error));
    } else if (frame.type === 'event' && typeof frame.event === 'string') {
      const event: RawEvent = { event: frame.event, payload: frame.payload, ...(typeof frame.seq === 'number' ? { seq: frame.seq } : {}) };
      events.push(event);
      if (event.event === 'connect.challenge') onChallenge();
      for (const listener of listeners) listener(event);
    }
  });

  let onChallenge: () => void = () => undefined;

  return new Promise<RawConnection>((resolve, reject) => {
    const abort = (error: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () => abort(new RawRpcError(`connect to ${url}: no hello-ok within ${timeoutMs} ms`, 'TIMEOUT', undefined, true)),
      timeoutMs,
    );
    ws.on('error', (error) => abort(error));
    ws.on('close', (code, reason) => {
      const error = new RawRpcError(`socket closed (${code} ${reason.toString()})`, 'CLOSED', undefined, code === 1013);
      failAll(error);
      abort(error);
    });
    onChallenge = () => {
      send(
        'connect',
        {
          minProtocol: 4,
          maxProtocol: 4,
          client: {
            id: 'gateway-client',
            version: '0.0.1',
            platform: process.platform,
            mode: 'backend',
            displayName: 'mission-control-test-harness',
          },
          role: 'operator',
          scopes: SCOPES,
          caps: [],
          auth: { token },
          locale: 'en-US',
          userAgent: 'mission-control-test-harness/0.0.1',
        },
        timeoutMs,
      ).then(
        (hello) => {
          clearTimeout(timer);
          resolve(makeConnection(hello as Record<string, unknown>));
        },
        (error: Error) => abort(error),
      );
    };
  });

  function makeConnection(hello: Record<string, unknown>): RawConnection {
    return {
      hello,
      events,
      request: <T>(method: string, params: unknown = {}, ms = 30_000) => send(method, params, ms) as Promise<T>,
      waitForEvent(match, ms = 30_000) {
        const seen = events.find(match);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            listeners.delete(listener);
            reject(new RawRpcError(`no matching event within ${ms} ms (saw: ${events.map((e) => e.event).join(', ')})`, 'TIMEOUT'));
          }, ms);
          const listener = (event: RawEvent): void => {
            if (!match(event)) return;
            clearTimeout(timer);
            listeners.delete(listener);
            resolve(event);
          };
          listeners.add(listener);
        });
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
          // A gateway that is shutting down may never answer the close handshake.
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2_000).unref();
        }),
    };
  }
}

/** One connection, connect, one request, close: for tests to inspect gateway state independently. */
export async function rawRpc<T = unknown>(
  url: string,
  token: string,
  method: string,
  params: unknown = {},
  timeoutMs = 30_000,
): Promise<T> {
  const conn = await connectRaw(url, token);
  try {
    return await conn.request<T>(method, params, timeoutMs);
  } finally {
    await conn.close();
  }
}

/**
 * A test's clean-up of an agent it created by hand. Right after the agent's run the real gateway can
 * refuse the delete for a moment (`UNAVAILABLE`: "database is still open in another process", seen under
 * load); it is asked again a few times before the refusal counts.
 */
export async function deleteGatewayAgent(url: string, token: string, agentId: string, tries = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rawRpc(url, token, 'agents.delete', { agentId, deleteFiles: true });
      return;
    } catch (error) {
      if (!(error instanceof RawRpcError && error.code === 'UNAVAILABLE') || attempt >= tries) throw error;
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
    }
  }
}
