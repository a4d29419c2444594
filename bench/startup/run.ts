/**
 * Backend cold start (#17): spawn → first `GET /healthz` answer, and RSS at that moment, for the real
 * backend started as headless `npm start` does (`node dist/backend/cli.js serve`, the same
 * `startBackend` the desktop app calls) against bare Express 5 + better-sqlite3 (bare-server.mjs), on
 * the same Node, interleaved, medians. Run `npm run build` first: it measures the built code.
 *
 *   BENCH_RUNS=15 (pairs)   BENCH_FRESH=1 (a new, empty data dir each start: first launch)
 *   BENCH_BUNDLE=1: also the same backend bundled into one file by esbuild (vite's, not a dependency of
 *   the app), interleaved as a third server — what loading ~470 modules one by one costs.
 *   BENCH_BEFORE_CLI=/other/checkout/dist/backend/cli.js: another build of the backend (e.g. the commit
 *   before a change), interleaved too, so before and after share one run's conditions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitRevision, median } from '../heartbeat/report.js';
import { freePort, timeStart, type StartSample } from './probe.js';

export const TARGETS = { maxTimeRatio: 1.5, maxRssRatio: 1.3 } as const;

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'backend', 'cli.js');
const bare = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const fresh = process.env.BENCH_FRESH === '1';
const bundled = join(root, 'dist', 'backend', 'cli.bench-bundle.js');

if (!existsSync(cli)) {
  console.error('bench:startup measures the built backend: run `npm run build` first.');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'mc-bench-startup-'));
const env: NodeJS.ProcessEnv = { ...process.env, MC_LOG_LEVEL: 'info' };
delete env.NODE_OPTIONS; // no loader or inspector inherited from the runner
let n = 0;
const dataDir = (name: string) => {
  const dir = fresh ? join(work, `${name}-${n++}`) : join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const mcAt = (entry: string) => async () => {
  const port = await freePort();
  return timeStart(process.execPath, [entry, 'serve', '--data-dir', dataDir('mc'), '--port', String(port)], port, { env });
};
const servers: Record<string, () => Promise<StartSample>> = {
  bare: async () => {
    const port = await freePort();
    return timeStart(process.execPath, [bare, dataDir('bare'), String(port)], port, { env });
  },
  mc: mcAt(cli),
};
if (process.env.BENCH_BEFORE_CLI) servers.before = mcAt(process.env.BENCH_BEFORE_CLI);
if (process.env.BENCH_BUNDLE === '1') {
  // In dist/backend/, so paths the backend resolves from its own file (migrations, app root) still hold.
  execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [cli, '--bundle', '--platform=node', '--format=esm', `--outfile=${bundled}`, '--external:better-sqlite3', '--log-level=error', "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"]);
  servers.bundled = mcAt(bundled);
}

try {
  const load = [loadavg()[0]!];
  // Uncounted: the first start of each creates its database (and pages the binaries into the OS cache).
  const names = Object.keys(servers);
  for (const name of names) await servers[name]!();
  const samples: Record<string, StartSample[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    // Alternate the order, so no server always follows the same one's exit.
    const order = i % 2 ? [...names].reverse() : names;
    for (const name of order) samples[name]!.push(await servers[name]!());
  }
  load.push(loadavg()[0]!);
  const med = (s: StartSample[]) => ({ ms: median(s.map((x) => x.ms)), rssMb: median(s.map((x) => x.rssMb)) });
  const b = med(samples.bare!);
  const m = med(samples.mc!);
  const bundle = samples.bundled && med(samples.bundled);
  const before = samples.before && med(samples.before);
  const summary = {
    revision: gitRevision(),
    node: process.version,
    runs,
    dataDir: fresh ? 'fresh each start' : 'existing (created by an uncounted start)',
    loadAverage: load.map((l) => Number(l.toFixed(2))),
    bare: b,
    mc: m,
    timeRatio: m.ms / b.ms,
    rssRatio: m.rssMb / b.rssMb,
    pairTimeRatio: median(samples.mc!.map((s, i) => s.ms / samples.bare![i]!.ms)),
    before: before && { ...before, timeRatio: before.ms / b.ms, rssRatio: before.rssMb / b.rssMb },
    bundled: bundle && { ...bundle, timeRatio: bundle.ms / b.ms, rssRatio: bundle.rssMb / b.rssMb },
    meets: m.ms / b.ms <= TARGETS.maxTimeRatio && m.rssMb / b.rssMb <= TARGETS.maxRssRatio,
    samples,
  };
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log(
    [
      `| Data dir | Bare ms | MC ms | time ratio (≤ ${TARGETS.maxTimeRatio}) | Bare RSS MB | MC RSS MB | RSS ratio (≤ ${TARGETS.maxRssRatio}) | Met |`,
      '| --- | --: | --: | --: | --: | --: | --: | :-: |',
      `| ${fresh ? 'fresh' : 'existing'} | ${f(b.ms)} | ${f(m.ms)} | ${f(summary.timeRatio, 2)} | ${f(b.rssMb, 1)} | ${f(m.rssMb, 1)} | ${f(summary.rssRatio, 2)} | ${summary.meets ? 'yes' : 'no'} |`,
      ...(before ? [`| before (${process.env.BENCH_BEFORE_CLI}) | ${f(b.ms)} | ${f(before.ms)} | ${f(before.ms / b.ms, 2)} | ${f(b.rssMb, 1)} | ${f(before.rssMb, 1)} | ${f(before.rssMb / b.rssMb, 2)} | — |`] : []),
      ...(bundle ? [`| bundled (esbuild, one file) | ${f(b.ms)} | ${f(bundle.ms)} | ${f(bundle.ms / b.ms, 2)} | ${f(b.rssMb, 1)} | ${f(bundle.rssMb, 1)} | ${f(bundle.rssMb / b.rssMb, 2)} | — |`] : []),
      '',
      `pair time ratio ${f(summary.pairTimeRatio, 2)}; ${runs} pairs; load average ${summary.loadAverage.join(' → ')}; ${summary.revision}`,
    ].join('\n'),
  );
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `startup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(summary, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundled, { force: true });
}
