/**
 * Heartbeat throughput benchmark: Mission Control's `POST /api/v1/agent/heartbeat` against a bare
 * Express endpoint measured in the same run, at 10, 1,000 and 5,000 agents. Targets are ratios to
 * that baseline (not absolute numbers), so the result holds across machines. See docs/performance.md.
 *
 *   npm run bench:heartbeat        (BENCH_ROUNDS, BENCH_SECONDS override the defaults)
 *
 * A/B: BENCH_AB_REF=<another checkout of this repository, with node_modules> adds that build's
 * backend as a third target in the same interleaved rounds, so a before/after comparison shares one
 * machine state (the after/before ratio is printed per agent count and saved).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './children.js';
import { interleave, PATH, type Plan } from './measure.js';
import { abLine, abSummary, type AbSummary } from './ab.js';
import { flatness, gitRevision, markdownTable, median, summarize, TARGETS, type CountSummary } from './report.js';

const AGENT_COUNTS = [10, 1000, 5000];
const PLAN: Plan = {
  connections: 64,
  rounds: Number(process.env.BENCH_ROUNDS ?? 6),
  roundSeconds: Number(process.env.BENCH_SECONDS ?? 3),
  warmupSeconds: 2,
};
/** Hard cap on the whole run (longer for an A/B run's third target); the waits below are bounded too. */
const DEADLINE_MS = (process.env.BENCH_AB_REF ? 10 : 6) * 60_000 * Math.max(1, (PLAN.rounds * PLAN.roundSeconds) / 18);

/**
 * The original's per-request cost, computed rather than served: it checks the presented token with
 * a 200k-round PBKDF2-SHA256 against every agent's stored hash, so one heartbeat costs N hashes.
 */
function originalCost(agents = 50, samples = 3) {
  const salt = randomBytes(16);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    pbkdf2Sync('a-presented-agent-token', salt, 200_000, 32, 'sha256');
    times.push(performance.now() - t);
  }
  const perHashMs = median(times);
  return { agents, samples, perHashMs, heartbeatsPerSec: 1000 / (perHashMs * agents) };
}

const children: Child[] = [];
let workDir: string | undefined;
let interrupted = false;
async function cleanup(): Promise<void> {
  await Promise.allSettled(children.splice(0).map((c) => c.stop()));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    interrupted = true;
    void cleanup().finally(() => process.exit(code));
  });
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`bench: exceeded ${DEADLINE_MS / 1000} s, stopping`);
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE_MS);
  deadline.unref();

  const revision = gitRevision();
  console.log(`backend revision: ${revision}`);
  // Measured first, while nothing else competes for the CPU.
  const original = originalCost();
  console.log(
    `original (computed): PBKDF2-SHA256 200k = ${original.perHashMs.toFixed(1)} ms/hash → ` +
      `${original.heartbeatsPerSec.toFixed(2)} heartbeats/s at ${original.agents} agents`,
  );

  workDir = mkdtempSync(join(tmpdir(), 'mc-bench-heartbeat-'));
  const bare = startChild('bare-express', './bare-server.ts');
  const mc = startChild('mission-control', './mc-server.ts', [workDir]);
  const load = startChild('autocannon', './load.ts');
  children.push(bare, mc, load);
  const refDir = process.env.BENCH_AB_REF ? resolve(process.env.BENCH_AB_REF) : undefined;
  let ref: Child | undefined;
  if (refDir) {
    console.log(`A/B against ${refDir} (${gitRevision(refDir)})`);
    ref = startChild('reference', join(refDir, 'bench/heartbeat/mc-server.ts'), [mkdtempSync(join(workDir, 'ref-'))], refDir);
    children.push(ref);
  }
  const bareUrl = (await bare.next('ready', 30_000)).url;
  const mcUrl = (await mc.next('ready', 30_000)).url;
  const refUrl = ref ? (await ref.next('ready', 30_000)).url : undefined;
  const ab: AbSummary[] = [];

  const rows: CountSummary[] = [];
  for (const agents of AGENT_COUNTS) {
    mc.send({ type: 'seed', total: agents });
    const { tokens, seedMs } = await mc.next('seeded', 120_000);
    const targets = [
      { name: 'bare', url: bareUrl, tokens },
      { name: 'mc', url: mcUrl, tokens },
    ];
    if (ref && refUrl) {
      ref.send({ type: 'seed', total: agents });
      targets.push({ name: 'ref', url: refUrl, tokens: (await ref.next('seeded', 120_000)).tokens });
    }
    const results = await interleave(load, targets, PLAN);
    const row = summarize(agents, seedMs, results.get('bare')!, results.get('mc')!);
    rows.push(row);
    if (ref) {
      const refRow = summarize(agents, seedMs, results.get('bare')!, results.get('ref')!);
      ab.push(abSummary(row, refRow));
      console.log(`  A/B ${agents} agents: ${abLine(ab.at(-1)!)}`);
    }
    console.log(
      `${agents} agents (seeded in ${(seedMs / 1000).toFixed(1)} s): bare ${Math.round(row.bare.reqPerSec)} req/s p99 ${row.bare.p99Ms} ms, ` +
        `MC ${Math.round(row.mc.reqPerSec)} req/s p99 ${row.mc.p99Ms} ms → ratios ${row.rpsRatio.toFixed(2)} / ${row.p99Ratio.toFixed(2)} ` +
        `(per-round pairs: ${row.pairRpsRatio.toFixed(2)} / ${row.pairP99Ratio.toFixed(2)})`,
    );
  }
  await cleanup();

  const flat = flatness(rows);
  const allMet = rows.every((r) => r.meetsTargets) && flat.flat;
  console.log(`\n${markdownTable(rows)}\n`);
  console.log(
    `Flat (req/s ratio at ${AGENT_COUNTS.at(-1)} vs ${AGENT_COUNTS[0]} agents within ${TARGETS.maxDrift * 100} %): ` +
      `${flat.flat ? 'yes' : 'no'} (drift ${(flat.drift * 100).toFixed(1)} %)`,
  );
  console.log(
    `Original, computed: ${original.perHashMs.toFixed(1)} ms per PBKDF2 verify × ${original.agents} agents ≈ ${original.heartbeatsPerSec.toFixed(2)} heartbeats/s`,
  );
  console.log(`All targets met: ${allMet ? 'yes' : 'no'}`);
  if (ab.length) console.log(`\nA/B (this build / ${gitRevision(refDir)}):\n${ab.map((a) => `  ${a.agents} agents: ${abLine(a)}`).join('\n')}`);

  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `heartbeat-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: process.platform,
  };
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), revision, machine, settings: { ...PLAN, path: PATH }, targets: TARGETS, counts: rows, flat, allMet, original, ...(refDir ? { ab: { reference: gitRevision(refDir), counts: ab } } : {}) }, null, 2)}\n`,
  );
  console.log(`Results: ${file}`);
}

main().catch(async (err: unknown) => {
  if (interrupted) return; // the signal handler is already cleaning up; a killed child is expected
  console.error(err instanceof Error ? err.message : err);
  await cleanup();
  process.exit(1);
});
