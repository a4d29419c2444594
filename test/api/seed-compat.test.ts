import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.js';

/*
 * The seed guide's commands where no gateway answers: each refusal is JSON that names the desktop route
 * to use instead (the happy path, typed as written on a real gateway: test/integration/seed-commands.test.ts).
 */

const api = useTestApi();
const OFFLINE_URL = 'ws://127.0.0.1:9';

describe('seed guide commands without a connected gateway', () => {
  it('GET /api/v1/gateway/status with no gateway: 404 naming POST /api/v1/gateways', async () => {
    const res = await api.user('get', '/api/v1/gateway/status').expect(404);
    expect(res.body.detail).toMatchObject({ desktop_equivalent: 'POST /api/v1/gateways' });
    expect(res.body.detail.message).toMatch(/No gateway has been added/);
    await api.user('get', '/api/v1/gateway/sessions').expect(404);
  });

  it('one gateway, saved offline: status answers the web shape with connected false, the reason and the desktop route', async () => {
    const gw = (await api.user('post', '/api/v1/gateways').send({ name: 'Away', url: OFFLINE_URL, allow_offline: true }).expect(200)).body;
    const res = (await api.user('get', '/api/v1/gateway/status').expect(200)).body;
    expect(res).toMatchObject({
      connected: false,
      gateway_id: gw.id,
      gateway_url: OFFLINE_URL,
      version: null,
      sessions: null,
      desktop_equivalent: `GET /api/v1/gateways/${gw.id}/status`,
    });
    expect(res.error).toEqual(expect.any(String));
    // Sessions cannot be listed: a 502 that says so, and where to look.
    const sessions = await api.user('get', '/api/v1/gateway/sessions').expect(502);
    expect(sessions.body.detail).toMatchObject({ desktop_equivalent: `GET /api/v1/gateways/${gw.id}/status` });
    await api.user('get', `/api/v1/gateways/sessions?gateway_id=${gw.id}`).expect(502);
  });

  it('two gateways and none named: 422 listing them; ?gateway_id picks one', async () => {
    const second = (
      await api.user('post', '/api/v1/gateways').send({ name: 'Away 2', url: 'ws://127.0.0.1:10', allow_offline: true }).expect(200)
    ).body;
    const res = await api.user('get', '/api/v1/gateway/status').expect(422);
    expect(res.body.detail.gateways).toHaveLength(2);
    expect(res.body.detail.desktop_equivalent).toBe('GET /api/v1/gateways/{gateway_id}/status');
    expect((await api.user('get', `/api/v1/gateway/status?gateway_id=${second.id}`).expect(200)).body.gateway_id).toBe(second.id);
  });

  it('GET /api/v1/auth/bootstrap (the seed types GET; the web edition has POST): the local user; no token: 401', async () => {
    expect((await api.user('get', '/api/v1/auth/bootstrap').expect(200)).body).toMatchObject({ clerk_user_id: 'local-auth-user' });
    await api.raw().get('/api/v1/auth/bootstrap').expect(401);
  });

  it('GET /api/v1/organizations/me/member: the owner with every board; no token: 401', async () => {
    const res = (await api.user('get', '/api/v1/organizations/me/member').expect(200)).body;
    expect(res).toMatchObject({ role: 'owner', all_boards_read: true, all_boards_write: true, user: { email: 'admin@home.local' } });
    await api.raw().get('/api/v1/organizations/me/member').expect(401);
  });
});
