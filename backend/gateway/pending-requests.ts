import { GatewayError, classifyGatewayError } from './errors.js';
import type { RequestOptions } from './connection-types.js';
import type { ResponseFrame } from './protocol.js';

/*
 * The requests in flight on one connection, by id: each waits for its answer (the final one, for a
 * method that answers twice) or its timeout, and all fail together when the socket closes.
 */

interface Pending {
  method: string;
  resolve: (payload: unknown) => void;
  reject: (err: GatewayError) => void;
  isFinal: (payload: unknown) => boolean;
  timer: NodeJS.Timeout;
}

export function createPendingRequests(defaultTimeoutMs: number) {
  const pending = new Map<string, Pending>();
  return {
    get size(): number {
      return pending.size;
    },

    /** Registers `id` and waits for its answer; `send` puts the request on the wire. */
    wait<T>(id: string, method: string, opts: RequestOptions, send: () => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new GatewayError('timeout', `${method} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { method, resolve: resolve as (p: unknown) => void, reject, isFinal: opts.isFinal ?? (() => true), timer });
        send();
      });
    },

    /** A `res` frame: settles its request (an error answer is classified); a late answer is ignored. */
    answer(frame: ResponseFrame): void {
      const p = pending.get(frame.id);
      if (!p) return; // a late answer for a request that already timed out
      if (!frame.ok) {
        clearTimeout(p.timer);
        pending.delete(frame.id);
        p.reject(classifyGatewayError(frame.error ?? { code: 'UNKNOWN', message: `${p.method} failed` }));
        return;
      }
      if (!p.isFinal(frame.payload)) return;
      clearTimeout(p.timer);
      pending.delete(frame.id);
      p.resolve(frame.payload);
    },

    failAll(error: GatewayError): void {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        pending.delete(id);
        p.reject(error);
      }
    },
  };
}
