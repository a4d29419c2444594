/** Medians, ratios against the same-run baseline, the verdict, and the markdown table. */
import { execFileSync } from 'node:child_process';
import type { RoundResult } from './protocol.js';

export const TARGETS = { minRpsRatio: 0.8, maxP99Ratio: 1.5, maxDrift: 0.1 } as const;

export interface CountSummary {
  agents: number;
  seedMs: number;
  bare: { reqPerSec: number; p99Ms: number };
  mc: { reqPerSec: number; p99Ms: number };
  rpsRatio: number;
  p99Ratio: number;
  /** Median over rounds i of mc[i]/bare[i]: a cross-check less sensitive to slow drift than the ratio of medians. */
  pairRpsRatio: number;
  pairP99Ratio: number;
  meetsTargets: boolean;
  rounds: { bare: RoundResult[]; mc: RoundResult[] };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(agents: number, seedMs: number, bare: RoundResult[], mc: RoundResult[]): CountSummary {
  const med = (rs: RoundResult[]) => ({ reqPerSec: median(rs.map((r) => r.reqPerSec)), p99Ms: median(rs.map((r) => r.p99Ms)) });
  const b = med(bare);
  const m = med(mc);
  const rpsRatio = m.reqPerSec / b.reqPerSec;
  const p99Ratio = m.p99Ms / b.p99Ms;
  return {
    agents,
    seedMs,
    bare: b,
    mc: m,
    rpsRatio,
    p99Ratio,
    pairRpsRatio: median(mc.map((r, i) => r.reqPerSec / bare[i]!.reqPerSec)),
    pairP99Ratio: median(mc.map((r, i) => r.p99Ms / bare[i]!.p99Ms)),
    meetsTargets: rpsRatio >= TARGETS.minRpsRatio && p99Ratio <= TARGETS.maxP99Ratio,
    rounds: { bare, mc },
  };
}

/** "Flat": the largest count's req/s ratio is within 10 % of the smallest count's. */
export function flatness(rows: CountSummary[]): { drift: number; flat: boolean } {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const drift = Math.abs(last.rpsRatio - first.rpsRatio) / first.rpsRatio;
  return { drift, flat: drift <= TARGETS.maxDrift };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fix = (n: number, d = 2) => n.toFixed(d);

export function markdownTable(rows: CountSummary[]): string {
  const lines = [
    '| Agents | Bare req/s | MC req/s | req/s ratio (≥ 0.80) | Bare p99 ms | MC p99 ms | p99 ratio (≤ 1.5) | Met |',
    '|---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...rows.map(
      (r) =>
        `| ${int(r.agents)} | ${int(r.bare.reqPerSec)} | ${int(r.mc.reqPerSec)} | ${fix(r.rpsRatio)} | ${fix(r.bare.p99Ms, 1)} | ${fix(r.mc.p99Ms, 1)} | ${fix(r.p99Ratio)} | ${r.meetsTargets ? 'yes' : 'no'} |`,
    ),
  ];
  return lines.join('\n');
}

/** Figures belong to a version of the code: record which (and whether the tree had local changes). */
export function gitRevision(cwd?: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'backend') ? ' + uncommitted backend changes' : ''}`;
  } catch {
    return 'unknown';
  }
}
