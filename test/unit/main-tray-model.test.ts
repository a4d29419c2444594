import { describe, expect, it } from 'vitest';
import { buildTrayModel, fleetHealth, TRAY_ACTIONS, type FleetAgent, type FleetGateway, type TraySettings } from '../../main/tray-model.js';

/** The tray as a pure function of the fleet: icon health, counts, headline and which actions are offered. */

const agent = (id: string, status: string, extra: Partial<FleetAgent> = {}): FleetAgent => ({
  id,
  name: `agent-${id}`,
  status,
  wake_attempts: 0,
  last_provision_error: null,
  ...extra,
});
const gateway = (id: string, connection_state: FleetGateway['connection_state']): FleetGateway => ({
  id,
  name: `gw-${id}`,
  connection_state,
});
const settings: TraySettings = { startAtLogin: false, closeToTray: true, warning: null };

const labels = (m: ReturnType<typeof buildTrayModel>) => m.menu.flatMap((i) => ('label' in i ? [i.label] : []));
const item = (m: ReturnType<typeof buildTrayModel>, id: string) => m.menu.find((i) => 'id' in i && i.id === id);

describe('tray model', () => {
  it('an empty fleet: ok, nothing to sync or wake', () => {
    const m = buildTrayModel({ agents: [], gateways: [] }, settings);
    expect(m.health).toBe('ok');
    expect(labels(m).slice(0, 2)).toEqual(['No gateways yet', '0 online · 0 provisioning · 0 offline']);
    expect(item(m, TRAY_ACTIONS.syncTemplates)).toMatchObject({ enabled: false });
    expect(item(m, TRAY_ACTIONS.rotateTokens)).toMatchObject({ enabled: false });
    expect(item(m, TRAY_ACTIONS.wakeStuck)).toMatchObject({ enabled: false, label: 'Wake stuck agents' });
    expect(item(m, TRAY_ACTIONS.open)).toMatchObject({ enabled: true });
    expect(item(m, TRAY_ACTIONS.quit)).toMatchObject({ enabled: true });
  });

  it('everyone online on a connected gateway: ok, with counts', () => {
    const m = buildTrayModel({ agents: [agent('a', 'online'), agent('b', 'online')], gateways: [gateway('g', 'connected')] }, settings);
    expect(m.health).toBe('ok');
    expect(m.counts).toEqual({ online: 2, provisioning: 0, offline: 0 });
    expect(labels(m).slice(0, 2)).toEqual(['All agents healthy', '2 online · 0 provisioning · 0 offline']);
    expect(item(m, TRAY_ACTIONS.syncTemplates)).toMatchObject({ enabled: true });
    expect(m.stuckAgentIds).toEqual([]);
  });

  it('one agent offline, one stuck provisioning, one fresh: attention, and the stuck ones are offered a wake', () => {
    const m = buildTrayModel(
      {
        agents: [
          agent('a', 'online'),
          agent('b', 'offline', { wake_attempts: 3, last_provision_error: 'Agent did not check in after wake; max wake attempts reached' }),
          agent('c', 'provisioning', { wake_attempts: 1 }),
          agent('d', 'provisioning'), // just created, first wake pending: not stuck
          agent('e', 'updating'),
        ],
        gateways: [gateway('g', 'connected')],
      },
      settings,
    );
    expect(m.health).toBe('attention');
    expect(m.counts).toEqual({ online: 1, provisioning: 3, offline: 1 });
    expect(m.stuckAgentIds).toEqual(['b', 'c']);
    expect(labels(m)[0]).toBe('2 agents need attention');
    expect(item(m, TRAY_ACTIONS.wakeStuck)).toMatchObject({ enabled: true, label: 'Wake stuck agents (2)' });
  });

  it('a gateway connecting or one of two disconnected: attention', () => {
    expect(fleetHealth({ agents: [agent('a', 'online')], gateways: [gateway('g', 'connecting')] })).toBe('attention');
    const m = buildTrayModel({ agents: [agent('a', 'online')], gateways: [gateway('g', 'connected'), gateway('h', 'failed')] }, settings);
    expect(m.health).toBe('attention');
    expect(labels(m)[0]).toBe('1 gateway unreachable');
  });

  it('every gateway unreachable, or every agent offline: offline', () => {
    const m = buildTrayModel({ agents: [agent('a', 'online')], gateways: [gateway('g', 'failed'), gateway('h', 'waiting')] }, settings);
    expect(m.health).toBe('offline');
    expect(labels(m)[0]).toBe('2 gateways unreachable');
    const all = buildTrayModel({ agents: [agent('a', 'offline'), agent('b', 'offline')], gateways: [gateway('g', 'connected')] }, settings);
    expect(all.health).toBe('offline');
    expect(labels(all)[0]).toBe('All agents offline');
    expect(all.toolTip).toContain('0 online · 0 provisioning · 2 offline');
  });

  it('settings become checkboxes, and a storage warning heads the menu', () => {
    const m = buildTrayModel({ agents: [], gateways: [] }, { startAtLogin: true, closeToTray: false, warning: 'secrets in plain text' });
    expect(m.menu[0]).toEqual({ type: 'label', label: '⚠ secrets in plain text' });
    expect(item(m, TRAY_ACTIONS.startAtLogin)).toMatchObject({ type: 'checkbox', checked: true });
    expect(item(m, TRAY_ACTIONS.closeToTray)).toMatchObject({ type: 'checkbox', checked: false });
    expect(labels(m)).toEqual(
      expect.arrayContaining([
        'Open Mission Control',
        'Sync templates (all gateways)',
        'Rotate tokens & re-sync…',
        'Troubleshoot…',
        'Quit Mission Control',
      ]),
    );
  });
});
