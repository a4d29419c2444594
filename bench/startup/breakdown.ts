/**
 * Where the backend's cold start goes (#17): the built backend (`node dist/backend/cli.js serve`) is
 * started BENCH_RUNS times under `--cpu-prof` (100 µs sampling) on an existing data dir; the profile is
 * cut at the moment the first `/healthz` answer arrived (V8's profile clock and `process.hrtime` are both
 * the monotonic clock), and each sample before the cut is put in one bucket:
 *
 * - a startup phase, when a frame of the stack is one of PHASES (the innermost one wins, so the
 *   OpenAPI document built inside createApp counts as its own phase);
 * - otherwise module loading: evaluation of a module's top level (by package, or backend/<folder>),
 *   or the ESM loader reading/compiling (node:internal);
 * - "(garbage collector)", "(program)" (V8 compiling, outside JS), or "(idle)" (waiting: I/O, timers).
 *
 * Before the profile starts: process exec and Node's bootstrap ("spawn → profiler start"). The
 * profiler slows everything by ~10-30 %; the shares, not the absolute ms, are what it tells.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitRevision, median } from '../heartbeat/report.js';
import { freePort } from './probe.js';

/** Functions whose inclusive time is a startup phase (names as compiled into dist/backend). */
const PHASES = [
  'main', // cli.ts: argument parsing before startBackend
  'startBackend',
  'readAppSettings',
  'claimForApp',
  'createLogger',
  'ensureLocalToken',
  'openDb',
  'composeBackend',
  'buildServices',
  'createGatewayManager',
  'sealStoredCredentials',
  'composeServices',
  'createDiagnostics',
  'createAppSchedules',
  'createApp',
  'buildOpenApiDocument',
  'writeAppSettings',
  'writeInstance',
  'start', // composeBackend's start(): retention, gateways, loops
  'runRetention',
];

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'backend', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 5);

function bucketOf(url: string): string {
  if (!url) return 'module loading: (no url)';
  if (url.startsWith('node:')) return 'module loading: node internals (ESM loader, fs, …)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return `module loading: ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const be = url.indexOf('/dist/backend/');
  if (be >= 0) {
    const rest = url.slice(be + 14).split('/');
    return `module loading: backend/${rest.length > 1 ? rest[0] : '*.js'}`;
  }
  return `module loading: ${url}`;
}

/** ms per bucket for the samples before `cutUs` (profile clock). */
function attribute(profile: Profile, cutUs: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseSet = new Set(PHASES);
  const buckets = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t > cutUs) break;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]!)!;
    let bucket: string | undefined;
    const special = leaf.callFrame.functionName;
    if (special === '(idle)' || special === '(garbage collector)' || special === '(program)') bucket = special;
    // The innermost phase on the stack, else the innermost module top level (an anonymous line-0 frame).
    let topLevel: string | undefined;
    for (let id: number | undefined = leaf.id; !bucket && id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (phaseSet.has(f.functionName) && f.url.includes('/dist/backend/')) bucket = `phase: ${f.functionName}`;
      else if (!topLevel && f.functionName === '' && f.lineNumber === 0 && f.url) topLevel = bucketOf(f.url);
    }
    bucket ??= topLevel ?? bucketOf(leaf.callFrame.url);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + dt);
  }
  return buckets;
}

const answered = (port: number) =>
  new Promise<boolean>((resolve) => {
    get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });

async function profiledStart(dataDir: string, profDir: string) {
  const port = await freePort();
  const spawnUs = Number(process.hrtime.bigint() / 1000n);
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', profDir, cli, 'serve', '--data-dir', dataDir, '--port', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let answerUs = 0;
  for (let i = 0; i < 10_000 && !answerUs; i++) {
    if (await answered(port)) answerUs = Number(process.hrtime.bigint() / 1000n);
    else await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGTERM'); // the CLI stops cleanly and exits: --cpu-prof writes the profile then
  await exited;
  if (!answerUs) throw new Error('no /healthz answer');
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile;
  rmSync(join(profDir, file));
  const buckets = attribute(profile, answerUs);
  buckets.set('spawn → profiler start (exec, Node bootstrap)', (profile.startTime - spawnUs) / 1000);
  return { totalMs: (answerUs - spawnUs) / 1000, buckets };
}

const work = mkdtempSync(join(tmpdir(), 'mc-bench-startup-prof-'));
try {
  const dataDir = join(work, 'data');
  const profDir = join(work, 'prof');
  mkdirSync(profDir);
  const load = [loadavg()[0]!];
  await profiledStart(dataDir, profDir); // uncounted: creates the database
  const results: Awaited<ReturnType<typeof profiledStart>>[] = [];
  for (let i = 0; i < runs; i++) results.push(await profiledStart(dataDir, profDir));
  load.push(loadavg()[0]!);
  const names = [...new Set(results.flatMap((r) => [...r.buckets.keys()]))];
  const rows = names
    .map((name) => ({ name, ms: median(results.map((r) => r.buckets.get(name) ?? 0)) }))
    .filter((r) => r.ms >= 1)
    .sort((a, b) => b.ms - a.ms);
  const total = median(results.map((r) => r.totalMs));
  console.log(`| Where (median of ${runs} profiled starts, ms) | ms |\n| --- | --: |`);
  for (const r of rows) console.log(`| ${r.name} | ${r.ms.toFixed(1)} |`);
  console.log(`| **spawn → first /healthz answer (profiled)** | **${total.toFixed(0)}** |`);
  console.log(`\nload average ${load.map((l) => l.toFixed(2)).join(' → ')}; ${gitRevision()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
