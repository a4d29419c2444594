/** The A/B comparison of two builds measured in the same interleaved rounds (BENCH_AB_REF). */
import { median, type CountSummary } from './report.js';

export interface AbSummary {
  agents: number;
  /** This build's and the reference build's req/s ratio to bare Express (medians over rounds). */
  rpsRatio: number;
  refRpsRatio: number;
  /** Median over rounds i of this[i]/reference[i]: the direct comparison, less sensitive to drift. */
  pairRps: number;
  pairP99: number;
}

export function abSummary(row: CountSummary, ref: CountSummary): AbSummary {
  const mine = row.rounds.mc;
  const theirs = ref.rounds.mc;
  return {
    agents: row.agents,
    rpsRatio: row.rpsRatio,
    refRpsRatio: ref.rpsRatio,
    pairRps: median(mine.map((r, i) => r.reqPerSec / theirs[i]!.reqPerSec)),
    pairP99: median(mine.map((r, i) => r.p99Ms / theirs[i]!.p99Ms)),
  };
}

export const abLine = (a: AbSummary) =>
  `ratio to bare ${a.rpsRatio.toFixed(2)} (this) vs ${a.refRpsRatio.toFixed(2)} (reference); ` +
  `per-round this/reference req/s ${a.pairRps.toFixed(3)}, p99 ${a.pairP99.toFixed(3)}`;
