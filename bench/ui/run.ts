/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The UI at scale, in Debian's Chromium against the built app: time to the first full render of a
 * board with 2,000 tasks (target < 500 ms), and how long an agent's status change takes to reach the
 * screen after the heartbeat that caused it (target < 1 s).
 *
 * The board is measured against a baseline in the same run: the very markup Mission Control
 * rendered (captured from its DOM), with the app's stylesheet inlined, served as a static page.
 * That is what the browser alone needs to parse, style and lay out 2,000 cards; the ratio says what
 * the app adds on top (boot, session check, snapshot request, validation, React).
 *
 *   npm run build && npm run bench:ui      (alone on the machine: it measures time)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { ROUTES } from '../../backend/contract/routes.js';
import { startBackend } from '../../backend/index.js';
import { seedBoard, userApi } from './seed.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const AGENTS = 10;
const CHROMIUM = process.env.MC_CHROMIUM ?? '/usr/bin/chromium';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

/**
 * Recorded in the page (performance.now(): ms since navigation start):
 * - `dom`: a MutationObserver first counts every card (`.task-card`) in the document;
 * - `layout`: right after that, a forced synchronous layout of the whole document has returned, so
 *   every card has a box (what the user sees next frame; cards off screen are skipped by
 *   `content-visibility: auto` in both pages alike);
 * - `json`: the snapshot response's body has been parsed (JSON only; the app validates it after).
 * A string, not a function: tsx (esbuild) would wrap a function's inner names in a `__name` helper
 * that does not exist in the page. A MutationObserver, not requestAnimationFrame: headless Chromium
 * produces no frames for a page nothing repaints, so a rAF loop can wait forever.
 */
const PROBE = `(() => {
  const t = (window.__t = {});
  let cards = 0;
  // Counted from the mutation records (each added subtree once), not by querying the document on
  // every callback: the static page's parser adds cards one by one, and re-counting them all each
  // time would charge the baseline for the probe.
  new MutationObserver((records) => {
    if (t.dom !== undefined) return;
    for (const r of records)
      for (const n of r.addedNodes)
        if (n.nodeType === 1) cards += (n.classList.contains('task-card') ? 1 : 0) + n.getElementsByClassName('task-card').length;
    if (cards > 0 && t.first === undefined) t.first = performance.now();
    if (cards >= ${TASKS}) {
      t.dom = performance.now();
      document.documentElement.getBoundingClientRect();
      document.body.offsetHeight;
      t.layout = performance.now();
    }
  }).observe(document, { subtree: true, childList: true });
  const json = Response.prototype.json;
  Response.prototype.json = function () {
    const url = this.url;
    return json.call(this).then((v) => {
      if (url.endsWith('/snapshot') && t.json === undefined) t.json = performance.now();
      return v;
    });
  };
  // React schedules its render with queueMicrotask (captured when it loads, so after this): the
  // first call after the snapshot's JSON marks the end of validation and the store update.
  const qm = window.queueMicrotask;
  window.queueMicrotask = function (cb) {
    if (t.json !== undefined && t.scheduled === undefined) t.scheduled = performance.now();
    return qm.call(window, cb);
  };
})();`;

interface Sample {
  first: number;
  dom: number;
  layout: number;
  json?: number;
  scheduled?: number;
  script?: number;
  session?: [number, number];
  snapshot?: [number, number];
}

async function measure(page: Page, url: string): Promise<Sample> {
  await page.goto(url);
  await page
    .waitForFunction(() => (window as unknown as { __t: { layout?: number } }).__t.layout !== undefined, undefined, { timeout: 60_000 })
    .catch(async (err: unknown) => {
      const cards = await page.locator('.task-card').count();
      throw new Error(
        `${url} never showed ${TASKS} cards (${cards} on screen; page says: ${(await page.innerText('body')).slice(0, 300)})`,
        { cause: err },
      );
    });
  return page.evaluate(`(() => {
    const span = (re) => {
      const e = performance.getEntriesByType('resource').find((r) => re.test(r.name));
      return e ? [e.startTime, e.responseEnd] : undefined;
    };
    const scripts = performance.getEntriesByType('resource').filter((r) => /\\/assets\\/.*\\.js$/.test(r.name));
    const script = scripts.length ? Math.max(...scripts.map((r) => r.responseEnd)) : undefined;
    return { ...window.__t, script, session: span(/\\/users\\/me$/), snapshot: span(/\\/snapshot$/) };
  })()`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'mc-bench-ui-'));
const backend = await startBackend({ dataDir, port: 0, logLevel: 'error', logToStdout: false }, { env: { HOME: dataDir } });
let baselineHtml = '';
const baselineServer = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(baselineHtml);
});
await new Promise<void>((resolve) => baselineServer.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baselineServer.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const { auth, call } = userApi(backend);
  const seedStart = performance.now();
  const board = { id: await seedBoard(call, TASKS) };
  console.log(`seeded ${TASKS} tasks in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // The answer's validation alone, in this process (Node's V8, not Chromium's: an indication).
  const snapshotText = await (await fetch(`${backend.url}/api/v1/boards/${board.id as string}/snapshot`, { headers: auth })).text();
  const timeIt = (fn: () => unknown) => {
    const xs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      fn();
      xs.push(performance.now() - t0);
    }
    return median(xs.slice(5));
  };
  const parsed: unknown = JSON.parse(snapshotText);
  console.log(
    `snapshot: ${(snapshotText.length / 1024).toFixed(0)} KiB; in Node: JSON.parse ${timeIt(() => JSON.parse(snapshotText)).toFixed(1)} ms, ` +
      `contract validation ${timeIt(() => ROUTES.boardSnapshot.response.parse(parsed)).toFixed(1)} ms`,
  );

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.request.post(`${backend.url}/api/v1/auth/session`, { data: { token: backend.localToken } });
  await context.addInitScript(PROBE);
  const boardUrl = `${backend.url}/#/boards/${board.id as string}`;

  // The baseline's markup is the app's own: one render captured from its DOM, scripts left out.
  {
    const page = await context.newPage();
    await measure(page, boardUrl);
    const root = await page.evaluate(() => document.getElementById('root')?.outerHTML ?? '');
    await page.close();
    const assets = join(process.cwd(), 'dist', 'renderer', 'assets');
    const css = readdirSync(assets)
      .filter((f) => f.endsWith('.css'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    baselineHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title><style>${css}</style></head><body>${root}</body></html>`;
  }

  // Interleaved, so both see the same load on the machine.
  const app: Sample[] = [];
  const base: Sample[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const [url, into] of [
      [baselineUrl, base],
      [boardUrl, app],
    ] as const) {
      const page = await context.newPage();
      into.push(await measure(page, url));
      await page.close();
    }
  }
  const ratios = app.map((s, i) => s.layout / (base[i]?.layout ?? NaN));
  console.log(`baseline (the same ${TASKS} cards as static HTML), navigation → every card laid out: ${fmt(base.map((s) => s.layout))}`);
  console.log(`board with ${TASKS} tasks, navigation → every card in the DOM: ${fmt(app.map((s) => s.dom))}`);
  console.log(`board with ${TASKS} tasks, navigation → every card laid out: ${fmt(app.map((s) => s.layout))}`);
  console.log(`ratio board ÷ baseline (laid out, per interleaved pair): median ${median(ratios).toFixed(2)}`);
  const phase = (name: string, f: (s: Sample) => number | undefined) => {
    const xs = app.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    console.log(`  ${name.padEnd(44)} ${xs.length ? `${median(xs).toFixed(0).padStart(4)} ms` : '   — '}`);
  };
  console.log('where the board time goes (medians, ms since navigation start or per phase):');
  phase('app scripts loaded (at; the last of them)', (s) => s.script);
  phase('first API request sent (at)', (s) => Math.min(s.session?.[0] ?? Infinity, s.snapshot?.[0] ?? Infinity));
  phase('session check sent (at)', (s) => s.session?.[0]);
  phase('session check answered (at)', (s) => s.session?.[1]);
  phase('snapshot request sent (at)', (s) => s.snapshot?.[0]);
  phase('snapshot answered (at)', (s) => s.snapshot?.[1]);
  phase('snapshot request → answer', (s) => (s.snapshot ? s.snapshot[1] - s.snapshot[0] : undefined));
  phase('answer → JSON parsed', (s) => (s.json !== undefined && s.snapshot ? s.json - s.snapshot[1] : undefined));
  phase('JSON parsed → React scheduled (validation)', (s) =>
    s.json !== undefined && s.scheduled !== undefined ? s.scheduled - s.json : undefined,
  );
  phase('React scheduled → first card (React render)', (s) => (s.scheduled !== undefined ? s.first - s.scheduled : undefined));
  phase('first card → every card in the DOM', (s) => s.dom - s.first);
  phase('DOM → laid out', (s) => s.layout - s.dom);

  // Status change → screen: agents waiting for their first check-in, each checks in once.
  const tokens: { id: string; token: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const agent = await call('POST', '/api/v1/agents', { name: `Bench agent ${i}`, board_id: board.id });
    const issued = await call('POST', `/api/v1/agents/${agent.id as string}/token`);
    tokens.push({ id: agent.id as string, token: issued.token as string });
  }
  const page = await context.newPage();
  await page.goto(`${backend.url}/#/agents`);
  await page.waitForSelector('.live-live');
  await page.evaluate(`(() => {
    const seen = {};
    window.__online = seen;
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('tr[data-agent-id]')) {
        const id = row.getAttribute('data-agent-id') || '';
        if (!seen[id] && row.querySelector('.status-cell')?.textContent === 'online') seen[id] = Date.now();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  const latency: number[] = [];
  for (const { id, token } of tokens) {
    const sent = Date.now();
    const res = await fetch(`${backend.url}/api/v1/agent/heartbeat`, { method: 'POST', headers: { 'X-Agent-Token': token } });
    if (!res.ok) throw new Error(`heartbeat: ${res.status}`);
    await page.waitForFunction(
      (agentId: string) => (window as unknown as { __online: Record<string, number> }).__online[agentId] !== undefined,
      id,
      { timeout: 10_000 },
    );
    latency.push(
      (await page.evaluate((agentId: string) => (window as unknown as { __online: Record<string, number> }).__online[agentId] ?? NaN, id)) -
        sent,
    );
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(`heartbeat → "online" on screen: ${fmt(latency)}`);
} finally {
  await browser.close();
  await backend.stop();
  baselineServer.close();
  rmSync(dataDir, { recursive: true, force: true });
}
