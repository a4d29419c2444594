import { describe, expect, it } from 'vitest';
import { createOfflineNotifier, type OfflineNotice } from '../../main/notifier.js';
import type { FleetAgent } from '../../main/tray-model.js';

/** Notifications: only "offline after the last wake", once per agent per cooldown, bursts summarised. */

const agent = (id: string, status: string, wake_attempts = 3): FleetAgent => ({
  id,
  name: `agent-${id}`,
  status,
  wake_attempts,
  last_provision_error: status === 'offline' ? 'Agent did not check in after wake; max wake attempts reached' : null,
});

function setup() {
  let clock = 1_000_000;
  const shown: OfflineNotice[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  const notifier = createOfflineNotifier({
    maxWakeAttempts: 3,
    show: (n) => shown.push(n),
    now: () => clock,
    schedule: (fn, ms) => timers.push({ at: clock + ms, fn }),
    perAgentCooldownMs: 600_000,
    burstWindowMs: 30_000,
  });
  const advance = (ms: number) => {
    clock += ms;
    for (const t of timers.splice(0))
      if (t.at <= clock) t.fn();
      else timers.push(t);
  };
  return { notifier, shown, advance };
}

describe('offline notifications', () => {
  it('fires when an agent goes offline with its wakes used up, and links to its page', () => {
    const { notifier, shown } = setup();
    notifier.observe(agent('a', 'provisioning', 2), agent('a', 'offline'));
    expect(shown).toEqual([
      { title: 'agent-a went offline', body: 'Agent did not check in after wake; max wake attempts reached', route: '#/agents/a' },
    ]);
  });

  it('ignores silence-offline (wakes not used up), status changes that are not offline, and offline → offline', () => {
    const { notifier, shown } = setup();
    notifier.observe(agent('a', 'online', 0), agent('a', 'offline', 0));
    notifier.observe(agent('b', 'provisioning', 1), agent('b', 'online', 1));
    notifier.observe(agent('c', 'offline'), agent('c', 'offline'));
    expect(shown).toEqual([]);
  });

  it('tells about the same agent once per cooldown', () => {
    const { notifier, shown, advance } = setup();
    notifier.observe(agent('a', 'online'), agent('a', 'offline'));
    advance(60_000);
    notifier.observe(agent('a', 'online'), agent('a', 'offline'));
    expect(shown).toHaveLength(1);
    advance(600_000);
    notifier.observe(agent('a', 'online'), agent('a', 'offline'));
    expect(shown).toHaveLength(2);
  });

  it('a burst (a gateway outage) is one notification now and one summary after the window', () => {
    const { notifier, shown, advance } = setup();
    for (const id of ['a', 'b', 'c', 'd']) notifier.observe(agent(id, 'online'), agent(id, 'offline'));
    expect(shown.map((n) => n.title)).toEqual(['agent-a went offline']);
    advance(29_000);
    expect(shown).toHaveLength(1);
    advance(1_000);
    expect(shown.map((n) => n.title)).toEqual(['agent-a went offline', '3 agents went offline']);
    expect(shown[1]).toMatchObject({ body: 'agent-b, agent-c, agent-d did not check in after 3 wakes.', route: '#/agents' });
  });
});
