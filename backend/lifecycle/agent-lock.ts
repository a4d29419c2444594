/**
 * One lifecycle action at a time per agent (provisioning, a wake): an operator's click and a
 * supervisor retry must not interleave, or two wakes are counted as one and two tokens race for
 * one workspace. In-process is enough: one backend owns a data dir.
 */
const tails = new Map<string, Promise<unknown>>();

export function withAgentLock<T>(agentId: string, action: () => Promise<T>): Promise<T> {
  const previous = tails.get(agentId) ?? Promise.resolve();
  const run = previous.then(action, action);
  const tail = run.catch(() => undefined);
  tails.set(agentId, tail);
  void tail.then(() => {
    if (tails.get(agentId) === tail) tails.delete(agentId);
  });
  return run;
}
