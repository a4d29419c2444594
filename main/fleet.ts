import type { AgentRead } from '../backend/contract/agents.js';
import type { GatewayRead } from '../backend/contract/gateways.js';
import type { RunningBackend } from '../backend/index.js';
import type { FleetAgent, FleetGateway, FleetState } from './tray-model.js';

/*
 * The fleet as the tray sees it, kept current in-process from the backend's agent and gateway feeds
 * (the same sources as the `/api/v1/events` stream), plus a slow full re-read as a reconcile (a
 * gateway added or removed).
 */

export interface FleetSource {
  agents(): AgentRead[];
  gateways(): FleetGateway[];
  subscribe(listener: (agent: AgentRead) => void): () => void;
  /** Gateway connection changes (connected, waiting, failed), as they happen. */
  subscribeGateways?(listener: (gateway: GatewayRead) => void): () => void;
}

/** The backend's narrow fleet interface (backend/compose.ts `Fleet`): main never sees the service graph. */
export const backendFleetSource = (backend: Pick<RunningBackend, 'fleet'>): FleetSource => backend.fleet;

const slim = (a: AgentRead): FleetAgent => ({
  id: a.id,
  name: a.name,
  status: a.status,
  wake_attempts: a.wake_attempts,
  last_provision_error: a.last_provision_error,
});

export function createFleetMonitor(options: {
  source: FleetSource;
  onChange(state: FleetState): void;
  onAgentChange?(previous: FleetAgent | undefined, next: FleetAgent): void;
  gatewayPollMs?: number;
}) {
  const agents = new Map<string, FleetAgent>();
  let gateways: FleetGateway[] = [];
  const state = (): FleetState => ({ agents: [...agents.values()], gateways });
  const emit = () => options.onChange(state());

  function reload(): void {
    agents.clear();
    for (const a of options.source.agents()) agents.set(a.id, slim(a));
    gateways = options.source.gateways().map((g) => ({ id: g.id, name: g.name, connection_state: g.connection_state }));
  }

  reload();
  const unsubscribe = options.source.subscribe((agent) => {
    const next = slim(agent);
    const previous = agents.get(agent.id);
    agents.set(agent.id, next);
    options.onAgentChange?.(previous, next);
    emit();
  });
  const unsubscribeGateways = options.source.subscribeGateways?.((gateway) => {
    const next: FleetGateway = { id: gateway.id, name: gateway.name, connection_state: gateway.connection_state };
    const i = gateways.findIndex((g) => g.id === gateway.id);
    if (i >= 0 && JSON.stringify(gateways[i]) === JSON.stringify(next)) return;
    gateways = i >= 0 ? gateways.map((g, j) => (j === i ? next : g)) : [...gateways, next];
    emit();
  });
  const timer = setInterval(() => {
    const before = JSON.stringify(state());
    try {
      reload();
    } catch {
      return; // the backend is stopping
    }
    if (JSON.stringify(state()) !== before) emit();
  }, options.gatewayPollMs ?? 30_000);
  timer.unref();
  emit();

  return {
    state,
    stop(): void {
      clearInterval(timer);
      unsubscribe();
      unsubscribeGateways?.();
    },
  };
}
