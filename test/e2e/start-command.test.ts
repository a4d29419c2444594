import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's first command, for real: `npm start` builds and serves headless — always here, also
 * under CI's Xvfb: no display is passed and nothing may be downloaded (the window path is
 * test/e2e/electron.spec.ts; the decisions test/unit/desktop-runtime.test.ts).
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-start-'));
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await new Promise((resolve) => child?.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL and how to sign in, answers /healthz and serves the UI at /', async () => {
    child = spawn('npm', ['start', '--', '--port', '0'], {
      cwd: process.cwd(),
      env: { ...process.env, MC_DATA_DIR: dataDir, MC_LOG_LEVEL: 'info', DISPLAY: '', WAYLAND_DISPLAY: '', MC_NO_DOWNLOAD: '1' },
      detached: true, // its own process group, so the whole tree is stopped afterwards
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 150 s:\n${output}`)), 150_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /is running: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child?.stdout?.on('data', onData);
      child?.stderr?.on('data', onData);
      child?.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });

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
