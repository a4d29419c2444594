/** Rounds of load against several targets, interleaved so machine drift hits all of them alike. */
import type { Child } from './children.js';
import type { RoundResult, RoundSpec } from './protocol.js';

export const PATH = '/api/v1/agent/heartbeat';

export interface Target {
  name: string;
  url: string;
  tokens: string[];
}

export interface Plan {
  connections: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
}

async function round(load: Child, spec: RoundSpec): Promise<RoundResult> {
  load.send({ type: 'round', spec });
  const { result } = await load.next('result', (spec.durationSeconds + 20) * 1000);
  if (result.non2xx > 0 || result.errors > 0 || result.ok === 0) {
    throw new Error(`round against ${spec.url} had ${result.non2xx} non-2xx and ${result.errors} errors: figures would be meaningless`);
  }
  return result;
}

/**
 * One uncounted warm-up round per target (JIT, statement and page caches), then rounds with the order
 * rotated each time (T1 T2 T3, T2 T3 T1, …), so no target always runs right after the same other one.
 */
export async function interleave(load: Child, targets: Target[], plan: Plan): Promise<Map<string, RoundResult[]>> {
  const spec = (t: Target, durationSeconds: number): RoundSpec => ({
    url: t.url,
    path: PATH,
    connections: plan.connections,
    durationSeconds,
    tokens: t.tokens,
  });
  for (const t of targets) await round(load, spec(t, plan.warmupSeconds));
  const results = new Map(targets.map((t) => [t.name, [] as RoundResult[]]));
  for (let i = 0; i < plan.rounds; i++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(i + k) % targets.length]!;
      results.get(t.name)!.push(await round(load, spec(t, plan.roundSeconds)));
    }
  }
  return results;
}
