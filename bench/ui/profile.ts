/// <reference lib="dom" />
/**
 * Where the board's first render spends CPU, by source: one CPU profile (Chrome DevTools Protocol)
 * of the 2,000-task board loading in Chromium, from navigation until every card is laid out,
 * mapped back through the bundle's source map and summed per package / file.
 *
 *   npm run build:renderer && npx tsx bench/ui/profile.ts      (under the heavy lock)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { startBackend } from '../../backend/index.js';
import { seedBoard, userApi } from './seed.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHROMIUM = process.env.MC_CHROMIUM ?? '/usr/bin/chromium';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const assets = join(process.cwd(), 'dist', 'renderer', 'assets');
const consumers = new Map(
  readdirSync(assets)
    .filter((f) => f.endsWith('.js.map'))
    .map((f) => [f.replace(/\.map$/, ''), new SourceMapConsumer(JSON.parse(readFileSync(join(assets, f), 'utf8')) as RawSourceMap)]),
);
if (consumers.size === 0) throw new Error('no source map in dist/renderer/assets: npm run build:renderer first');

/** A bucket per package (node_modules) or per source file of ours. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName ? `(${frame.functionName.replace(/^\(|\)$/g, '')})` : '(native)';
  const consumer = consumers.get(frame.url.split('/assets/')[1] ?? '');
  if (!consumer) return `(other script)`;
  const pos = consumer.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber });
  const source = pos.source ?? '?';
  const inModules = source.split('node_modules/')[1];
  if (inModules) {
    const parts = inModules.split('/');
    return parts[0] === 'zod' ? `zod/${parts[2] ?? ''}/${parts[3] ?? ''}` : (parts[0] ?? '?');
  }
  return source.replace(/^(\.\.\/)+/, '');
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Self time (µs → ms) of complete events on the renderer's main thread, by event name. */
function addTrace(into: Map<string, number>, trace: { traceEvents: TraceEvent[] }): void {
  const main = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return;
  const events = trace.traceEvents
    .filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: { end: number; name: string; child: number; dur: number }[] = [];
  const close = (upTo: number) => {
    while (stack.length && (stack.at(-1)?.end ?? Infinity) <= upTo) {
      const top = stack.pop()!;
      into.set(top.name, (into.get(top.name) ?? 0) + (top.dur - top.child) / 1000);
      const parent = stack.at(-1);
      if (parent) parent.child += top.dur;
    }
  };
  for (const e of events) {
    close(e.ts);
    stack.push({ end: e.ts + (e.dur ?? 0), name: e.name, child: 0, dur: e.dur ?? 0 });
  }
  close(Infinity);
}

const dataDir = mkdtempSync(join(tmpdir(), 'mc-bench-ui-profile-'));
const backend = await startBackend({ dataDir, port: 0, logLevel: 'error', logToStdout: false }, { env: { HOME: dataDir } });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const { call } = userApi(backend);
  const board = { id: await seedBoard(call, TASKS) };
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.request.post(`${backend.url}/api/v1/auth/session`, { data: { token: backend.localToken } });
  await context.addInitScript(
    `(() => { const check = () => { if (window.__full === undefined && document.querySelectorAll('.task-card').length >= ${TASKS}) { document.body.offsetHeight; window.__full = performance.now(); } }; new MutationObserver(check).observe(document, { subtree: true, childList: true }); })();`,
  );
  const totals = new Map<string, number>();
  const tasks = new Map<string, number>();
  let wall = 0;
  for (let r = 0; r < RUNS; r++) {
    const page = await context.newPage();
    // Same origin first, so the board's navigation stays in this renderer process (and profiler).
    await page.goto(`${backend.url}/healthz`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
    await cdp.send('Profiler.start');
    await page.goto(`${backend.url}/#/boards/${board.id as string}`);
    await page.waitForFunction(() => (window as unknown as { __full?: number }).__full !== undefined, undefined, { timeout: 60_000 });
    wall += await page.evaluate(() => (window as unknown as { __full: number }).__full);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
    addTrace(tasks, JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] });
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      if (!node) return;
      const key = bucketOf(node.callFrame);
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    await page.close();
  }
  const rows = [...totals].map(([k, ms]) => [k, ms / RUNS] as const).sort((a, b) => b[1] - a[1]);
  console.log(
    `CPU self time per source while the ${TASKS}-task board loads (mean of ${RUNS}; navigation → laid out ${(wall / RUNS).toFixed(0)} ms):`,
  );
  for (const [k, ms] of rows.slice(0, 25)) if (k !== '(idle)') console.log(`${ms.toFixed(1).padStart(8)} ms  ${k}`);
  console.log(`Renderer main thread, self time per trace event (mean of ${RUNS}):`);
  for (const [k, ms] of [...tasks].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`${(ms / RUNS).toFixed(1).padStart(8)} ms  ${k}`);
} finally {
  await browser.close();
  await backend.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
