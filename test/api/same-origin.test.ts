import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGIN_CODE_TTL_MS, SESSION_IDLE_MS, SESSION_MAX_AGE_MS } from '../../backend/http/user-sessions.js';
import { fixtures, startTestApi, useTestApi } from '../support/api.js';

/*
 * The session cookie is ambient and not isolated by port: a page on another 127.0.0.1 port makes the
 * signed-in browser send it. A state change carried by it is accepted only from the app's own origin
 * (Origin, or Sec-Fetch-Site: same-origin); bearer and agent tokens are not affected. Codes and
 * sessions expire on the app's clock. (The same, from a real page on another port, in
 * test/e2e/cross-origin.spec.ts.)
 */

let clock = new Date('2026-03-01T10:00:00Z');
const api = useTestApi({}, { now: () => clock });

const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

async function signIn(): Promise<string> {
  const link = new URL(api.backend.issueLoginLink());
  const res = await api.raw().get(`${link.pathname}${link.search}`).expect(303);
  const raw = res.headers['set-cookie'] as unknown as string[];
  return raw[0]!.split(';')[0]!;
}

const own = () => new URL(api.url).origin;
const otherPort = () => `http://127.0.0.1:${api.backend.port === 1 ? 2 : api.backend.port - 1}`;
const bundles = () => {
  const dir = join(api.dataDir, 'support');
  return existsSync(dir) ? readdirSync(dir).length : 0;
};

describe('cookie-authenticated state changes need the same origin', () => {
  it('refuses a POST with the cookie from another port, a same-site page, or no origin at all; nothing is written', async () => {
    const cookie = await signIn();
    const before = bundles();
    for (const headers of [
      { Origin: otherPort() },
      { Origin: otherPort(), 'Sec-Fetch-Site': 'same-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'null' },
      {},
    ]) {
      const res = await api.raw().post('/api/v1/doctor/support-bundle').set('Cookie', cookie).set(headers).expect(403);
      expect(res.body.code).toBe('cross_origin_refused');
      expect(res.body.detail).toContain('own page');
    }
    // The same with parameters a sync or a token rotation would take: refused before any lookup.
    const sync = await api
      .raw()
      .post('/api/v1/gateways/00000000-0000-4000-8000-000000000000/templates/sync?overwrite=true&reset_sessions=true&rotate_tokens=true')
      .set('Cookie', cookie)
      .set('Origin', otherPort())
      .expect(403);
    expect(sync.body.code).toBe('cross_origin_refused');
    await api
      .raw()
      .post('/api/v1/agents/00000000-0000-4000-8000-000000000000/token')
      .set('Cookie', cookie)
      .set('Origin', otherPort())
      .expect(403);
    expect(bundles()).toBe(before);
  });

  it('accepts the same change from its own origin (Origin or Sec-Fetch-Site: same-origin); reads need neither', async () => {
    const cookie = await signIn();
    const before = bundles();
    await api.raw().post('/api/v1/doctor/support-bundle').set('Cookie', cookie).set('Origin', own()).expect(200);
    advance(1000); // bundles are named by the time
    await api.raw().post('/api/v1/doctor/support-bundle').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').expect(200);
    expect(bundles()).toBe(before + 2);
    await api.raw().get('/api/v1/boards').set('Cookie', cookie).set('Origin', otherPort()).expect(200);
  });

  it('bearer and agent tokens are not ambient: a foreign Origin does not matter to them', async () => {
    await api.user('post', '/api/v1/doctor/support-bundle').set('Origin', otherPort()).set('Sec-Fetch-Site', 'cross-site').expect(200);
    const f = fixtures(api);
    const agent = await f.agent((await f.board()).id);
    const minted = await api.user('post', `/api/v1/agents/${agent.id}/token`).set('Origin', otherPort()).expect(200);
    await api.agent(minted.body.token, 'post', '/api/v1/agent/heartbeat').set('Origin', otherPort()).expect(200);
  });

  it('signing out with the cookie from another origin is refused too; the session stays', async () => {
    const cookie = await signIn();
    expect((await api.raw().delete('/api/v1/auth/session').set('Cookie', cookie).set('Origin', otherPort()).expect(403)).body.code).toBe(
      'cross_origin_refused',
    );
    await api.raw().get('/api/v1/boards').set('Cookie', cookie).expect(200);
    await api.raw().delete('/api/v1/auth/session').set('Cookie', cookie).set('Origin', own()).expect(200);
    await api.raw().get('/api/v1/boards').set('Cookie', cookie).expect(401);
  });
});

describe('login codes and sessions expire', () => {
  it('a login link is refused once its minutes are over', async () => {
    const link = new URL(api.backend.issueLoginLink());
    advance(LOGIN_CODE_TTL_MS + 1);
    const res = await api.raw().get(`${link.pathname}${link.search}`).expect(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('the cookie has a Max-Age; a session ends after idle time, and after its maximum age even when used', async () => {
    const link = new URL(api.backend.issueLoginLink());
    const res = await api.raw().get(`${link.pathname}${link.search}`).expect(303);
    expect(String((res.headers['set-cookie'] as unknown as string[])[0])).toContain(`Max-Age=${SESSION_MAX_AGE_MS / 1000}`);

    const idle = await signIn();
    advance(SESSION_IDLE_MS - 60_000);
    await api.raw().get('/api/v1/boards').set('Cookie', idle).expect(200); // used: the idle clock restarts
    advance(SESSION_IDLE_MS - 60_000);
    await api.raw().get('/api/v1/boards').set('Cookie', idle).expect(200);
    advance(SESSION_IDLE_MS + 1);
    await api.raw().get('/api/v1/boards').set('Cookie', idle).expect(401);

    const busy = await signIn();
    for (let used = 0; used < SESSION_MAX_AGE_MS; used += SESSION_IDLE_MS / 2) {
      await api.raw().get('/api/v1/boards').set('Cookie', busy).expect(200);
      advance(SESSION_IDLE_MS / 2);
    }
    await api.raw().get('/api/v1/boards').set('Cookie', busy).expect(401);
  });
});

describe('refusals cost a bounded number of log lines', () => {
  it('a flood of unauthenticated, cross-origin and foreign-Host requests writes one line per kind and one summary with the count', async () => {
    const flood = await startTestApi();
    try {
      const cookie = await (async () => {
        const link = new URL(flood.backend.issueLoginLink());
        const res = await flood.raw().get(`${link.pathname}${link.search}`).expect(303);
        return String((res.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
      })();
      const N = 300;
      for (let i = 0; i < N; i++) {
        await flood.raw().get('/api/v1/boards').expect(401);
        await flood.raw().get(`/api/v1/boards/${i}x`).set('Host', `evil-${i}.example`).expect(403);
        await flood.raw().post('/api/v1/doctor/support-bundle').set('Cookie', cookie).set('Origin', 'http://127.0.0.1:1').expect(403);
      }
      await flood.stop(false);
      const lines = readFileSync(join(flood.dataDir, 'logs', 'mission-control.log'), 'utf8')
        .split('\n')
        .filter(Boolean);
      const of = (event: string) => lines.filter((l) => l.includes(`"event":"${event}"`));
      expect(of('auth.user_failed')).toHaveLength(1);
      expect(of('http.host_rejected')).toHaveLength(1);
      expect(of('auth.cross_origin_refused')).toHaveLength(1);
      const summaries = of('log.refusals_suppressed').map((l) => JSON.parse(l) as { suppressed: number });
      expect(summaries.reduce((a, s) => a + s.suppressed, 0)).toBe(3 * (N - 1));
    } finally {
      rmSync(flood.dataDir, { recursive: true, force: true });
    }
  });
});
