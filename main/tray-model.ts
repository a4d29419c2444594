import type { AgentRead } from '../backend/contract/agents.js';
import type { GatewayRead } from '../backend/contract/gateways.js';
import type { MenuItemModel } from './facade.js';

/*
 * The tray, as a pure function of the fleet: which icon, which tooltip, which menu. The wiring
 * (tray.ts) only renders what this returns and routes clicks by action id.
 */

export type FleetAgent = Pick<AgentRead, 'id' | 'name' | 'status' | 'wake_attempts' | 'last_provision_error'>;
export type FleetGateway = Pick<GatewayRead, 'id' | 'name' | 'connection_state'>;

export interface FleetState {
  agents: FleetAgent[];
  gateways: FleetGateway[];
}

export interface TraySettings {
  startAtLogin: boolean;
  closeToTray: boolean;
  /** A warning to show at the top of the menu (e.g. secrets kept in plain text), or null. */
  warning: string | null;
}

export type Health = 'ok' | 'attention' | 'offline';

export const TRAY_ACTIONS = {
  open: 'open',
  syncTemplates: 'sync-templates',
  rotateTokens: 'rotate-tokens',
  wakeStuck: 'wake-stuck',
  troubleshoot: 'troubleshoot',
  startAtLogin: 'start-at-login',
  closeToTray: 'close-to-tray',
  quit: 'quit',
} as const;
export type TrayAction = (typeof TRAY_ACTIONS)[keyof typeof TRAY_ACTIONS];

export interface TrayModel {
  health: Health;
  toolTip: string;
  counts: { online: number; provisioning: number; offline: number };
  /** Agents the "Wake stuck agents" action would wake. */
  stuckAgentIds: string[];
  menu: MenuItemModel[];
}

/** Offline, or still provisioning after a failed attempt: the agents a wake is for. */
export function isStuck(agent: FleetAgent): boolean {
  if (agent.status === 'offline') return true;
  return agent.status === 'provisioning' && (agent.wake_attempts > 0 || agent.last_provision_error !== null);
}

const DISCONNECTED: ReadonlySet<FleetGateway['connection_state']> = new Set(['failed', 'closed', 'waiting']);

/**
 * offline: no gateway can be reached (every saved gateway is disconnected), or every agent is offline;
 * attention: some gateway is disconnected or connecting, or some agent is stuck;
 * ok: otherwise (an empty fleet is ok — there is nothing to worry about yet).
 */
export function fleetHealth(fleet: FleetState): Health {
  const { agents, gateways } = fleet;
  const gatewaysDown = gateways.filter((g) => DISCONNECTED.has(g.connection_state)).length;
  if (gateways.length > 0 && gatewaysDown === gateways.length) return 'offline';
  if (agents.length > 0 && agents.every((a) => a.status === 'offline')) return 'offline';
  if (gatewaysDown > 0 || gateways.some((g) => g.connection_state === 'connecting')) return 'attention';
  if (agents.some(isStuck)) return 'attention';
  return 'ok';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function buildTrayModel(fleet: FleetState, settings: TraySettings): TrayModel {
  const counts = { online: 0, provisioning: 0, offline: 0 };
  for (const agent of fleet.agents) {
    if (agent.status === 'online') counts.online += 1;
    else if (agent.status === 'offline') counts.offline += 1;
    else if (agent.status === 'provisioning' || agent.status === 'updating') counts.provisioning += 1;
  }
  const health = fleetHealth(fleet);
  const stuckAgentIds = fleet.agents.filter(isStuck).map((a) => a.id);
  const downGateways = fleet.gateways.filter((g) => DISCONNECTED.has(g.connection_state));
  const hasGateways = fleet.gateways.length > 0;

  const summary = `${counts.online} online · ${counts.provisioning} provisioning · ${counts.offline} offline`;
  const headline =
    fleet.agents.length === 0 && !hasGateways
      ? 'No gateways yet'
      : health === 'ok'
        ? 'All agents healthy'
        : health === 'offline'
          ? downGateways.length > 0 && downGateways.length === fleet.gateways.length
            ? `${plural(downGateways.length, 'gateway')} unreachable`
            : 'All agents offline'
          : downGateways.length > 0
            ? `${plural(downGateways.length, 'gateway')} unreachable`
            : `${plural(stuckAgentIds.length, 'agent')} need${stuckAgentIds.length === 1 ? 's' : ''} attention`;

  const menu: MenuItemModel[] = [];
  if (settings.warning) menu.push({ type: 'label', label: `⚠ ${settings.warning}` }, { type: 'separator' });
  menu.push(
    { type: 'label', label: headline },
    { type: 'label', label: summary },
    { type: 'separator' },
    { type: 'action', id: TRAY_ACTIONS.open, label: 'Open Mission Control', enabled: true },
    { type: 'separator' },
    { type: 'action', id: TRAY_ACTIONS.syncTemplates, label: 'Sync templates (all gateways)', enabled: hasGateways },
    { type: 'action', id: TRAY_ACTIONS.rotateTokens, label: 'Rotate tokens & re-sync…', enabled: hasGateways },
    {
      type: 'action',
      id: TRAY_ACTIONS.wakeStuck,
      label: stuckAgentIds.length > 0 ? `Wake stuck agents (${stuckAgentIds.length})` : 'Wake stuck agents',
      enabled: stuckAgentIds.length > 0,
    },
    { type: 'action', id: TRAY_ACTIONS.troubleshoot, label: 'Troubleshoot…', enabled: true },
    { type: 'separator' },
    { type: 'checkbox', id: TRAY_ACTIONS.startAtLogin, label: 'Start at login', checked: settings.startAtLogin, enabled: true },
    {
      type: 'checkbox',
      id: TRAY_ACTIONS.closeToTray,
      label: 'Keep running when the window is closed',
      checked: settings.closeToTray,
      enabled: true,
    },
    { type: 'separator' },
    { type: 'action', id: TRAY_ACTIONS.quit, label: 'Quit Mission Control', enabled: true },
  );
  const toolTip = `OpenClaw Mission Control — ${headline} (${summary})`;
  return { health, toolTip, counts, stuckAgentIds, menu };
}
