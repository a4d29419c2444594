import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One lifecycle action at a time per agent (provisioning, a wake): an operator's click and a
 * ladder retry must not interleave, or two wakes are counted as one and two tokens race for
 * one workspace. In-process is enough: one backend owns a data dir.
 *
 * Re-entrant: an action that already holds an agent's lock (a retry that finds provisioning owed)
 * runs the nested one (the provisioning) inside it, instead of releasing the lock in between — the
 * gap in which a racing wake used to provision and wake the agent a second time.
 */
const tails = new Map<string, Promise<unknown>>();
/** The locks the running action holds. A hold ends with its action: work it started that outlives it
 * (a connection opened inside, a timer) inherits the context but no longer the lock. */
interface Hold {
  agentId: string;
  active: boolean;
}
const held = new AsyncLocalStorage<readonly Hold[]>();

export function withAgentLock<T>(agentId: string, action: () => Promise<T>): Promise<T> {
  const mine = (held.getStore() ?? []).filter((h) => h.active);
  if (mine.some((h) => h.agentId === agentId)) return action();
  const inside = () => {
    const hold: Hold = { agentId, active: true };
    return held.run([...mine, hold], action).finally(() => {
      hold.active = false;
    });
  };
  const previous = tails.get(agentId) ?? Promise.resolve();
  const run = previous.then(inside, inside);
  const tail = run.catch(() => undefined);
  tails.set(agentId, tail);
  void tail.then(() => {
    if (tails.get(agentId) === tail) tails.delete(agentId);
  });
  return run;
}

/** Is a lifecycle action running (or waiting) for this agent? */
export const agentLockBusy = (agentId: string): boolean => tails.has(agentId);
