import type { GatewayHello } from './connection-types.js';
import type { GatewayError } from './errors.js';

/*
 * Callers of `ready()` waiting for a connection: all resolve on connect, all fail on a final
 * failure; between retries only those that asked for an answer now (failFast) fail.
 */

interface Waiter {
  resolve: (h: GatewayHello) => void;
  reject: (e: GatewayError) => void;
  failFast: boolean;
}

export function createReadyWaiters() {
  let waiters: Waiter[] = [];
  return {
    /** Waits at most `timeoutMs`; then fails with what `onTimeout` says (the last failure, or a timeout). */
    wait(timeoutMs: number, failFast: boolean, onTimeout: () => GatewayError): Promise<GatewayHello> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.resolve !== done);
          reject(onTimeout());
        }, timeoutMs);
        timer.unref();
        const done = (h: GatewayHello) => {
          clearTimeout(timer);
          resolve(h);
        };
        waiters.push({
          failFast,
          resolve: done,
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
    resolveAll(hello: GatewayHello): void {
      const all = waiters;
      waiters = [];
      for (const w of all) w.resolve(hello);
    },
    /** Fails the waiters `which` picks (all by default); the others keep waiting. */
    rejectAll(error: GatewayError, which: (w: { failFast: boolean }) => boolean = () => true): void {
      const now = waiters.filter(which);
      waiters = waiters.filter((w) => !now.includes(w));
      for (const w of now) w.reject(error);
    },
  };
}
