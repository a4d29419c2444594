import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type StartedApp } from './start-process.js';

/**
 * The README's first command, for real: `npm start` builds and serves headless — always here, also
 * under CI's Xvfb: no display is passed and nothing may be downloaded (the window path is
 * test/e2e/electron.spec.ts; the decisions test/unit/desktop-runtime.test.ts).
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-start-'));
  let app: StartedApp | undefined;

  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL and how to sign in, answers /healthz and serves the UI at /', async () => {
    app = await startApp('npm', ['start', '--', '--port', '0'], { cwd: process.cwd(), dataDir, timeoutMs: 150_000 });
    const { url } = app;
    const output = app.output();
    expect(output).toMatch(/Electron cannot start here \(.+\); serving the same UI headless/);
    expect(output).toContain('Authorization: Bearer');
    expect(output).toContain(join(dataDir, 'local-auth-token'));
    // The token itself is never printed.
    const { readFileSync } = await import('node:fs');
    const token = readFileSync(join(dataDir, 'local-auth-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(50);
    expect(output).not.toContain(token);
    expect(statSync(join(dataDir, 'local-auth-token')).mode & 0o777).toBe(0o600);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${url}/${script}`)).status).toBe(200);

    const boards = await fetch(`${url}/api/v1/boards`, { headers: { Authorization: `Bearer ${token}` } });
    expect(boards.status).toBe(200);

    // The printed one-time login link opens a cookie session for a browser, once.
    const link = /(http:\/\/127\.0\.0\.1:\d+\/auth\/login\?code=[\w-]+)/.exec(output)?.[1];
    expect(link).toBeDefined();
    const login = await fetch(link!, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^mc_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${url}/api/v1/boards`, { headers: { Cookie: session } })).status).toBe(200);
    expect((await fetch(link!, { redirect: 'manual' })).status).toBe(401);
  }, 200_000);
});
