import type { FleetAgent } from './tray-model.js';

/*
 * "An agent went offline after its last wake": the one event worth interrupting someone for.
 * Recognised from the agent feed (status becomes offline with the wake ladder exhausted), shown at
 * most once per agent per cooldown, and at most one notification per burst window overall — the
 * rest of a burst (a gateway outage takes many agents down at once) becomes one summary.
 */

export interface OfflineNotice {
  title: string;
  body: string;
  /** The route to open on click, e.g. `#/agents/<id>`. */
  route: string;
}

export interface NotifierOptions {
  maxWakeAttempts: number;
  show(notice: OfflineNotice): void;
  now?: () => number;
  /** Run `fn` after `ms` (injected so tests drive time). */
  schedule?: (fn: () => void, ms: number) => void;
  perAgentCooldownMs?: number;
  burstWindowMs?: number;
}

type Observed = FleetAgent & { wake_attempts: number };

export function wentOfflineAfterMaxWakes(previous: Observed | undefined, next: Observed, maxWakeAttempts: number): boolean {
  return next.status === 'offline' && next.wake_attempts >= maxWakeAttempts && previous?.status !== 'offline';
}

export function createOfflineNotifier(options: NotifierOptions) {
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
  const cooldown = options.perAgentCooldownMs ?? 15 * 60_000;
  const burst = options.burstWindowMs ?? 30_000;
  const lastShownFor = new Map<string, number>();
  let windowOpenUntil = 0;
  let held: Observed[] = [];

  function flush(): void {
    const agents = held;
    held = [];
    if (agents.length === 0) return;
    windowOpenUntil = now() + burst;
    if (agents.length === 1) return show(agents[0] as Observed);
    options.show({
      title: `${agents.length} agents went offline`,
      body: `${agents.map((a) => a.name).join(', ')} did not check in after ${options.maxWakeAttempts} wakes.`,
      route: '#/agents',
    });
  }

  function show(agent: Observed): void {
    options.show({
      title: `${agent.name} went offline`,
      body: agent.last_provision_error ?? `It did not check in after ${options.maxWakeAttempts} wakes.`,
      route: `#/agents/${encodeURIComponent(agent.id)}`,
    });
  }

  return {
    /** Feed one change (with the agent as it was before, if known). */
    observe(previous: Observed | undefined, next: Observed): void {
      if (!wentOfflineAfterMaxWakes(previous, next, options.maxWakeAttempts)) return;
      const t = now();
      const last = lastShownFor.get(next.id);
      if (last !== undefined && t - last < cooldown) return;
      lastShownFor.set(next.id, t);
      if (t >= windowOpenUntil && held.length === 0) {
        windowOpenUntil = t + burst;
        show(next);
        return;
      }
      if (held.length === 0) schedule(flush, Math.max(0, windowOpenUntil - t));
      held.push(next);
    },
  };
}
