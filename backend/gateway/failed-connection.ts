import type { GatewayConnection } from './connection.js';
import type { GatewayError } from './errors.js';

/**
 * A connection that never dials because it cannot: its credentials cannot be opened
 * (`credentials_unreadable`). It answers like a connection the gateway refused for good — state
 * `failed`, `lastError` the reason, `ready()` and `request()` reject with it — so every caller
 * (status, doctor, provisioning, the supervisor) shows the reason through the paths it already has.
 */
export function failedConnection(error: GatewayError): GatewayConnection {
  return {
    state: 'failed',
    hello: null,
    lastError: error,
    ready: () => Promise.reject(error),
    request: () => Promise.reject(error),
    onEvent: () => () => false,
    onState: () => () => false,
    close: () => 0, // nothing in flight to abort
  };
}
