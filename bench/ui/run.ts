/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The UI at scale, in Debian's Chromium against the built app: time to the first full render of a
 * board with 2,000 tasks (target < 500 ms), and how long an agent's status change takes to reach the
 * screen after the heartbeat that caused it (target < 1 s).
 *
 *   npm run build && npm run bench:ui      (alone on the machine: it measures time)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startBackend } from '../../backend/index.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const RUNS = 5;
const AGENTS = 10;
const CHROMIUM = process.env.MC_CHROMIUM ?? '/usr/bin/chromium';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

const dataDir = mkdtempSync(join(tmpdir(), 'mc-bench-ui-'));
const backend = await startBackend({ dataDir, port: 0, logLevel: 'error', logToStdout: false }, { env: { HOME: dataDir } });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const auth = { Authorization: `Bearer ${backend.localToken}`, 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const gateway = await call('POST', '/api/v1/gateways', { name: 'bench', url: 'ws://127.0.0.1:9', allow_offline: true });
  const board = await call('POST', '/api/v1/boards', {
    name: 'Big board',
    description: 'bench',
    gateway_id: gateway.id,
    create_lead: false,
    max_agents: 100,
  });
  const statuses = ['inbox', 'in_progress', 'review', 'done'];
  const seedStart = performance.now();
  for (let i = 0; i < TASKS; i++) {
    await call('POST', `/api/v1/boards/${board.id}/tasks`, {
      title: `Task ${i + 1}: ${'make it work '.repeat(1 + (i % 3))}`,
      status: statuses[i % 4] === 'done' ? 'review' : statuses[i % 4],
      priority: ['low', 'medium', 'high'][i % 3],
    });
  }
  console.log(`seeded ${TASKS} tasks in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.request.post(`${backend.url}/api/v1/auth/session`, { data: { token: backend.localToken } });
  // Records when the board shows every card (performance.now(): ms since navigation start).
  // A string, not a function: tsx (esbuild) would wrap a function's inner names in a `__name` helper
  // that does not exist in the page. A MutationObserver, not requestAnimationFrame: headless Chromium
  // produces no frames for a page nothing repaints, so a rAF loop can wait forever.
  await context.addInitScript(
    `(() => { const check = () => { if (window.__full === undefined && document.querySelectorAll('.task-card').length >= ${TASKS}) window.__full = performance.now(); }; new MutationObserver(check).observe(document, { subtree: true, childList: true }); })();`,
  );
  const render: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const page = await context.newPage();
    await page.goto(`${backend.url}/#/boards/${board.id as string}`);
    await page
      .waitForFunction(() => (window as unknown as { __full?: number }).__full !== undefined, undefined, { timeout: 60_000 })
      .catch(async (err: unknown) => {
        const cards = await page.locator('.task-card').count();
        throw new Error(
          `board never showed ${TASKS} cards (${cards} on screen; page says: ${(await page.innerText('body')).slice(0, 300)})`,
          { cause: err },
        );
      });
    render.push(await page.evaluate(() => (window as unknown as { __full: number }).__full));
    await page.close();
  }
  console.log(`board with ${TASKS} tasks, navigation → every card on screen: ${fmt(render)}`);

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
  rmSync(dataDir, { recursive: true, force: true });
}
