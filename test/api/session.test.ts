import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.js';

/*
 * Headless sign-in: a one-time login link (or the pasted local token) becomes an HttpOnly,
 * SameSite=Strict session cookie that the API accepts as the local user — never for agent routes.
 */

const api = useTestApi();

const cookieOf = (res: { headers: Record<string, unknown> }): string => {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? String(raw[0]) : String(raw ?? '');
  return first;
};

describe('session cookie', () => {
  it('a login link works once, sets an HttpOnly SameSite=Strict cookie and redirects to the UI', async () => {
    const link = new URL(api.backend.issueLoginLink());
    expect(link.pathname).toBe('/auth/login');
    expect(link.href).not.toContain(api.backend.localToken);

    const res = await api.raw().get(`${link.pathname}${link.search}`).expect(303);
    expect(res.headers.location).toBe('/');
    expect(res.headers['cache-control']).toBe('no-store');
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^mc_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/);
    expect(cookie).not.toContain(api.backend.localToken);

    const session = cookie.split(';')[0]!;
    await api.raw().get('/api/v1/boards').set('Cookie', session).expect(200);
    // user_or_agent routes accept it too; without it the API still refuses.
    await api.raw().get('/api/v1/activity').set('Cookie', session).expect(200);
    await api.raw().get('/api/v1/boards').set('Cookie', 'mc_session=forged-value').expect(401);
    await api.raw().get('/api/v1/boards').expect(401);

    const again = await api.raw().get(`${link.pathname}${link.search}`).expect(401);
    expect(again.text).toContain('cannot be used');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('the cookie is not an agent credential', async () => {
    const link = new URL(api.backend.issueLoginLink());
    const session = cookieOf(await api.raw().get(`${link.pathname}${link.search}`).expect(303)).split(';')[0]!;
    await api.raw().post('/api/v1/agent/heartbeat').set('Cookie', session).expect(401);
  });

  it('the sign-in form exchanges the pasted local token for a cookie; a wrong one is a 401', async () => {
    const wrong = await api
      .raw()
      .post('/api/v1/auth/session')
      .send({ token: 'x'.repeat(86) })
      .expect(401);
    expect(wrong.body.detail).toContain('not the local token');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    await api.raw().post('/api/v1/auth/session').send({ token: 42 }).expect(422);

    const ok = await api.raw().post('/api/v1/auth/session').send({ token: api.backend.localToken }).expect(200);
    const session = cookieOf(ok).split(';')[0]!;
    await api.raw().get('/api/v1/settings').set('Cookie', session).expect(200);

    // Signing out ends that session on the server, not only in the browser.
    const out = await api.raw().delete('/api/v1/auth/session').set('Cookie', session).set('Origin', api.url).expect(200);
    expect(cookieOf(out)).toContain('Max-Age=0');
    await api.raw().get('/api/v1/settings').set('Cookie', session).expect(401);
  });

  it('a malformed login code is a 422 naming the query field', async () => {
    const res = await api.raw().get('/auth/login?code=short').expect(422);
    expect(res.body.detail[0].loc).toEqual(['query', 'code']);
  });

  it('settings report how the server runs, without secrets', async () => {
    const res = await api.user('get', '/api/v1/settings').expect(200);
    expect(res.body).toMatchObject({ data_dir: api.dataDir, log_level: 'warn', max_wake_attempts: 3, checkin_deadline_seconds: 30 });
    expect(res.body.base_url).toBe(api.backend.config.baseUrl);
    expect(JSON.stringify(res.body)).not.toContain(api.backend.localToken);
  });
});
