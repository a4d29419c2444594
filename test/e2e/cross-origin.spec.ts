/// <reference lib="dom" />
import { expect, request as playwrightRequest, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { json, shot, skipWithoutChromium } from './doctor-helpers.js';
import { E2E, setupValue } from './e2e-env.js';

/*
 * Item 7 of #13 in the real Chromium: cookies are not isolated by port, so a page served by another
 * program on another 127.0.0.1 port makes the signed-in browser send `mc_session` with its requests.
 * Here such a page submits a form (no CORS involved) and a credentialed no-cors fetch against the app:
 * a token rotation, a sync with overwrite & reset_sessions & rotate_tokens, a support bundle. Each is
 * refused (403 cross_origin_refused) although the browser did send the cookie, and nothing changed —
 * read from the app's own database file — while the app's own page still does the same change.
 * Runs after ui.spec.ts (its gateway and main agent are the targets; none of them is changed).
 */

skipWithoutChromium('cross-origin.spec');

const APP = `http://127.0.0.1:${E2E.port}`;
let attacker: Server;
let attackerUrl = '';
let api: APIRequestContext;
let page: Page;
let targets: { gatewayId: string; agentId: string };

/** Pages of "another local program": each sends one request to the app as soon as it loads. */
function attackPages(paths: { token: string; sync: string; bundle: string }): Record<string, string> {
  const form = (action: string) =>
    `<!doctype html><title>attacker</title><form method="POST" action="${APP}${action}" enctype="text/plain">` +
    `<input name="x" value="y"></form><script>document.forms[0].submit()</script>`;
  const fetchPage = (action: string) =>
    `<!doctype html><title>attacker</title><script>fetch(${JSON.stringify(APP + action)}, {method: 'POST', credentials: 'include', mode: 'no-cors'})` +
    `.then(() => { document.title = 'sent' }, () => { document.title = 'failed' })</script>`;
  return {
    '/rotate-form': form(paths.token),
    '/sync-fetch': fetchPage(paths.sync),
    '/bundle-form': form(paths.bundle),
    '/bundle-fetch': fetchPage(paths.bundle),
  };
}

const dataDir = () => setupValue('MC_E2E_DATA_DIR');
const bundles = () => {
  const dir = join(dataDir(), 'support');
  return existsSync(dir) ? readdirSync(dir).length : 0;
};
/** Routes of the cross-origin refusals the app logged (the first per route and minute; see log-throttle.ts). */
function refusalsLogged(): string[] {
  const file = join(dataDir(), 'logs', 'mission-control.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"auth.cross_origin_refused"'))
    .map((l) => (JSON.parse(l) as { route: string }).route);
}

/** What a token rotation or a sync with rotate_tokens would change, read from the app's own database file. */
function tokenState(): { hashes: string; retired: number } {
  const db = new Database(join(dataDir(), 'mission-control.db'), { readonly: true, fileMustExist: true });
  try {
    const hashes = (db.prepare('SELECT id, agent_token_hash AS h FROM agents ORDER BY id').all() as { id: string; h: string }[])
      .map((r) => `${r.id}:${r.h}`)
      .join(',');
    const retired = (db.prepare('SELECT count(*) AS n FROM retired_agent_tokens').get() as { n: number }).n;
    return { hashes, retired };
  } finally {
    db.close();
  }
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  api = await playwrightRequest.newContext({ baseURL: APP, extraHTTPHeaders: { Authorization: `Bearer ${E2E.token}` } });
  const gateways = await json<{ items: { id: string; url: string }[] }>(await api.get('/api/v1/gateways'));
  const gateway = gateways.items.find((g) => g.url === setupValue('MC_E2E_GATEWAY_URL'));
  if (!gateway) throw new Error('cross-origin.spec runs after ui.spec (its gateway is the target); none found');
  const agents = await json<{ items: { id: string; gateway_id: string }[] }>(await api.get('/api/v1/agents'));
  const agent = agents.items.find((a) => a.gateway_id === gateway.id);
  if (!agent) throw new Error('cross-origin.spec: ui.spec left no agent on its gateway');
  targets = { gatewayId: gateway.id, agentId: agent.id };

  const pages = attackPages({
    token: `/api/v1/agents/${targets.agentId}/token`,
    sync: `/api/v1/gateways/${targets.gatewayId}/templates/sync?overwrite=true&reset_sessions=true&rotate_tokens=true`,
    bundle: '/api/v1/doctor/support-bundle',
  });
  attacker = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;

  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${APP}/`);
  await page.getByRole('textbox', { name: 'Local token' }).fill(E2E.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
});

test.afterAll(async () => {
  await page?.context().close();
  await api?.dispose();
  await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
});

test('a page on another 127.0.0.1 port cannot change anything with the session cookie; the app’s own page can', async () => {
  expect(attackerUrl).not.toBe(APP);
  expect((await page.context().cookies(APP)).map((c) => c.name)).toContain('mc_session');
  const before = { tokens: tokenState(), bundles: bundles() };

  for (const [path, target] of [
    ['/rotate-form', `/api/v1/agents/${targets.agentId}/token`],
    ['/sync-fetch', `/api/v1/gateways/${targets.gatewayId}/templates/sync`],
    ['/bundle-fetch', '/api/v1/doctor/support-bundle'],
    ['/bundle-form', '/api/v1/doctor/support-bundle'],
  ] as const) {
    const sent = page.waitForRequest((r) => r.url().startsWith(`${APP}${target}`) && r.method() === 'POST', { timeout: 20_000 });
    await page.goto(`${attackerUrl}${path}`);
    const request = await sent;
    const response = await request.response();
    if (path.endsWith('-form')) {
      // A form navigates: the browser did attach the cookie (this is the attack, not an unauthenticated
      // request), and the refusal is what the user sees.
      expect((await request.allHeaders()).cookie ?? '', path).toContain('mc_session=');
      expect(response?.status(), path).toBe(403);
      await expect(page.locator('body')).toContainText('cross_origin_refused');
    } else {
      // A no-cors fetch's answer is opaque (Chromium may block it before Playwright sees its headers):
      // the app's own record says what it did. It logs auth.cross_origin_refused only for a request
      // that carried the session cookie, so the line is also the proof the cookie was sent.
      if (response) expect(response.status(), path).toBe(403);
      await expect.poll(() => refusalsLogged(), { message: path }).toContain(target.replace(targets.gatewayId, '{gateway_id}'));
    }
  }
  await shot(page, 'cross-origin-refused');

  // Nothing changed: no token rotated or retired, no bundle written.
  expect(tokenState()).toEqual(before.tokens);
  expect(bundles()).toBe(before.bundles);
  // The session itself is still good for reads.
  await page.goto(`${APP}/`);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();

  // The app's own page makes the same kind of change with the same cookie.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot', exact: true }).click();
  await page.getByRole('button', { name: 'Create support bundle' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  expect(bundles()).toBe(before.bundles + 1);
  expect(tokenState()).toEqual(before.tokens);
});
