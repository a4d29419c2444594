/**
 * `npm start` when nothing changed since the last build (#17): `npm start -- --port P` (headless here:
 * no display) → the UI answering (`GET /` 200), BENCH_RUNS times, median. The build is brought up to
 * date first (uncounted), so every counted start finds nothing stale. Target ≤ 3 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitRevision, median } from '../heartbeat/report.js';
import { freePort, timeStart } from './probe.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 7);
const work = mkdtempSync(join(tmpdir(), 'mc-bench-npm-start-'));
const env: NodeJS.ProcessEnv = { ...process.env, MC_DATA_DIR: work, DISPLAY: '', WAYLAND_DISPLAY: '', MC_NO_DOWNLOAD: '1', MC_LOG_LEVEL: 'info' };
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--stale'], { cwd: root, stdio: 'inherit' });
  const load = [loadavg()[0]!];
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    ms.push((await timeStart('npm', ['start', '--', '--port', String(port)], port, { env, path: '/', pollMs: 5 })).ms);
  }
  load.push(loadavg()[0]!);
  console.log(`npm start (nothing changed) → UI answering: median ${median(ms).toFixed(0)} ms (≤ 3000), runs ${ms.map((m) => m.toFixed(0)).join(', ')}`);
  console.log(`load average ${load.map((l) => l.toFixed(2)).join(' → ')}; ${gitRevision()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
