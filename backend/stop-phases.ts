/*
 * The backend's stop as named phases, each recorded (how long, how it ended), so a stop that was slow
 * or failed says where — in the `app.stopped` log line — and one phase's failure never skips the
 * later ones: the database is always closed. A phase with a grace period is given up after it (its
 * work keeps running, but the stop goes on); nothing waits on a gateway.
 */

export interface StopPhase {
  name: string;
  run: () => unknown;
  /** Give up waiting after this long (the phase's work is left to finish or fail on its own). */
  graceMs?: number;
}

export interface StopPhaseRecord {
  phase: string;
  outcome: 'done' | 'failed' | 'gave_up';
  ms: number;
  error?: string;
}

export async function runStopPhases(phases: StopPhase[], nowMs: () => number = Date.now): Promise<StopPhaseRecord[]> {
  const records: StopPhaseRecord[] = [];
  for (const phase of phases) {
    const started = nowMs();
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = Promise.resolve().then(phase.run);
      const outcome =
        phase.graceMs === undefined
          ? await work.then(() => 'done' as const)
          : await Promise.race([
              work.then(() => 'done' as const),
              new Promise<'gave_up'>((resolve) => (timer = setTimeout(() => resolve('gave_up'), phase.graceMs))),
            ]);
      records.push({ phase: phase.name, outcome, ms: nowMs() - started });
    } catch (err) {
      records.push({ phase: phase.name, outcome: 'failed', ms: nowMs() - started, error: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
  return records;
}
