/**
 * CPU profile of one build's backend under heartbeat load: where its time goes, by function (self
 * time), for comparing two builds (`BENCH_AB_REF`'s question, answered by code instead of by ratio).
 *
 *   npx tsx bench/heartbeat/profile.mts [checkout dir] [agents] [seconds]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startChild } from './children.js';
import { interleave } from './measure.js';

const dir = resolve(process.argv[2] ?? '.');
const agents = Number(process.argv[3] ?? 1000);
const seconds = Number(process.argv[4] ?? 10);
const work = mkdtempSync(join(tmpdir(), 'mc-bench-profile-'));
const profDir = join(work, 'prof');
const mc = startChild('mission-control', join(dir, 'bench/heartbeat/mc-server.ts'), [join(work, 'data')], dir, [
  '--cpu-prof',
  '--cpu-prof-dir',
  profDir,
]);
const load = startChild('autocannon', './load.ts');
try {
  const { url } = await mc.next('ready', 30_000);
  mc.send({ type: 'seed', total: agents });
  const { tokens } = await mc.next('seeded', 120_000);
  const results = await interleave(load, [{ name: 'mc', url, tokens }], { connections: 64, rounds: 1, roundSeconds: seconds, warmupSeconds: 2 });
  const round = results.get('mc')![0]!;
  console.log(`${dir}: ${Math.round(round.reqPerSec)} req/s, p99 ${round.p99Ms} ms`);
} finally {
  await load.stop();
  await mc.stop();
}

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as { nodes: Node[] };
const self = new Map<string, number>();
let total = 0;
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0;
  total += hits;
  const where = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|backend)\//, '$1/');
  const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + hits);
}
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) {
  console.log(`${((hits / total) * 100).toFixed(2).padStart(6)} %  ${key}`);
}
rmSync(work, { recursive: true, force: true });
