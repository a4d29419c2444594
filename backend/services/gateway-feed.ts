import type { GatewayRead } from '../contract/gateways.js';
import type { GatewayManager } from '../gateway/manager.js';

/*
 * Live gateway status for the UI (`GET /api/v1/events`, `event: gateway`). The gateway manager knows
 * the moment a saved gateway's connection changes state (connected, waiting to retry, failed, closed)
 * and has written what it learned (version, last error) to the row by then; the feed re-reads that
 * gateway as the API serves it and publishes it when something a person would see changed.
 */

type Listener = (gateway: GatewayRead) => void;

const visible = (g: GatewayRead) =>
  JSON.stringify([g.connection_state, g.server_version, g.protocol_version, g.last_connected_at, g.last_error, g.name, g.url]);

export function createGatewayFeed(deps: { manager: GatewayManager; read(id: string): GatewayRead }) {
  const listeners = new Set<Listener>();
  const seen = new Map<string, string>();
  let unsubscribe: (() => void) | null = null;

  function changed(gatewayId: string): void {
    if (listeners.size === 0) return;
    let gateway: GatewayRead;
    try {
      gateway = deps.read(gatewayId);
    } catch {
      seen.delete(gatewayId); // deleted meanwhile (its connection closing is the last word)
      return;
    }
    const key = visible(gateway);
    if (seen.get(gatewayId) === key) return;
    seen.set(gatewayId, key);
    for (const listener of listeners) listener(gateway);
  }

  return {
    /** Listen for changes; the current state is not replayed (read it with GET /gateways). */
    subscribe(listener: Listener): () => void {
      // What was last published is only known to listeners that heard it: with nobody listening in
      // between, a change back to a state published earlier must not be swallowed.
      if (listeners.size === 0) seen.clear();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start(): void {
      unsubscribe ??= deps.manager.onStatus(changed);
    },
    stop(): void {
      unsubscribe?.();
      unsubscribe = null;
      listeners.clear();
      seen.clear();
    },
  };
}

export type GatewayFeed = ReturnType<typeof createGatewayFeed>;
