import type { GatewayConnection } from '../gateway/connection.js';

/**
 * The gateway connection as seen by one ladder step: no request outlives the step's deadline, so a
 * hung gateway costs an agent its attempt, not more (without this, each request waits out the
 * connection's own 30 s timeout, one after another).
 */
export function boundedBy(conn: GatewayConnection, deadlineAt: Date | undefined, now: () => Date): GatewayConnection {
  if (!deadlineAt) return conn;
  const request: GatewayConnection['request'] = (method, params, opts = {}) => {
    const left = Math.max(250, deadlineAt.getTime() - now().getTime());
    return conn.request(method, params, { ...opts, timeoutMs: Math.min(opts.timeoutMs ?? left, left) });
  };
  // The getters (state, hello) stay live: the bounded view inherits them instead of copying them.
  return Object.assign(Object.create(conn) as GatewayConnection, { request });
}
