/**
 * Where a heartbeat's time goes: bare Express, then the Mission Control app with no database, with
 * the token lookup, and complete — interleaved in one run. Server CPU per request ≈ 1 / req/s (the
 * server is the saturated process), so each layer's cost is the difference of two µs/req figures.
 * Not part of the targets: this is the tool for finding out why a ratio is what it is.
 *
 *   npx tsx bench/heartbeat/breakdown.ts [agents=1000]     (BENCH_ROUNDS, BENCH_SECONDS as in run.ts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './children.js';
import { interleave, type Target } from './measure.js';
import { LAYERS } from './protocol.js';
import { gitRevision, median } from './report.js';

const agents = Number(process.argv[2] ?? 1000);
const plan = {
  connections: 64,
  rounds: Number(process.env.BENCH_ROUNDS ?? 8),
  roundSeconds: Number(process.env.BENCH_SECONDS ?? 2),
  warmupSeconds: 2,
};
const LABELS: Record<string, string> = {
  bare: 'bare Express 5 (baseline)',
  http: '+ MC middleware, route table, auth/handler wrapper, AgentRead JSON (no SQLite)',
  auth: '+ authentication (cache hit; on a miss sha256 + SELECT by hash), heartbeat answer built without the check-in',
  full: '+ the check-in (write-behind time, batched flushes) = shipped backend',
};

const workDir = mkdtempSync(join(tmpdir(), 'mc-bench-breakdown-'));
const children: Child[] = [];
const cleanup = async () => {
  await Promise.allSettled(children.splice(0).map((c) => c.stop()));
  rmSync(workDir, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  const bare = startChild('bare-express', './bare-server.ts');
  const layers = LAYERS.map((layer) => startChild(layer, './layers-server.ts', [layer, join(workDir, layer)]));
  const load = startChild('autocannon', './load.ts');
  children.push(bare, ...layers, load);
  const targets: Target[] = [{ name: 'bare', url: (await bare.next('ready', 30_000)).url, tokens: ['unused'] }];
  for (const [i, child] of layers.entries()) {
    const { url } = await child.next('ready', 30_000);
    child.send({ type: 'seed', total: agents });
    targets.push({ name: LAYERS[i]!, url, tokens: (await child.next('seeded', 120_000)).tokens });
  }
  const results = await interleave(load, targets, plan);

  // µs/req of a layer = bare µs/req ÷ (median over rounds of layer/bare req/s): pairing each round
  // with the bare round next to it cancels most of the machine's drift.
  const bareRps = results.get('bare')!.map((r) => r.reqPerSec);
  const bareUs = 1e6 / median(bareRps);
  console.log(
    `\nbackend revision ${gitRevision()}; ${agents} agents, ${plan.rounds} interleaved rounds of ${plan.roundSeconds} s, ${plan.connections} connections\n`,
  );
  console.log('| Layer | ratio to bare (req/s) | server µs/req | Δ µs/req |');
  console.log('|---|---:|---:|---:|');
  let previous: number | undefined;
  for (const { name } of targets) {
    const ratio = median(results.get(name)!.map((r, i) => r.reqPerSec / bareRps[i]!));
    const us = bareUs / ratio;
    const delta = previous === undefined ? '' : `+${Math.round(us - previous)}`;
    console.log(`| ${LABELS[name]} | ${ratio.toFixed(2)} | ${Math.round(us)} | ${delta} |`);
    previous = us;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
