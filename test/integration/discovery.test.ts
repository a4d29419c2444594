import { describe, expect, inject, it } from 'vitest';
import { startTestApi, useTestApi } from '../support/api.js';

/** Auto-detection reads the real gateway's own openclaw.json from a throwaway HOME. */
const gatewayUrl = inject('gatewayUrl');
const homeDir = inject('homeDir');
const api = useTestApi({}, { env: { HOME: homeDir } });

describe('local gateway auto-detection', () => {
  it('offers the configured gateway without revealing its token, and adds it only when asked', async () => {
    const found = (await api.user('get', '/api/v1/gateways/discover').expect(200)).body;
    expect(found).toMatchObject({ found: true, url: gatewayUrl, has_token: true, already_added_gateway_id: null, problem: null });
    expect(JSON.stringify(found)).not.toContain(inject('gatewayToken'));
    // Offered, never imported silently.
    expect((await api.user('get', '/api/v1/gateways').expect(200)).body.total).toBe(0);

    const test = (await api.user('post', '/api/v1/gateways/test').send({ url: found.url, use_discovered_token: true }).expect(200)).body;
    expect(test).toMatchObject({ ok: true, protocol_version: 4 });

    const created = await api
      .user('post', '/api/v1/gateways')
      .send({ name: 'This machine', url: found.url, use_discovered_token: true })
      .expect(200);
    expect(created.body).toMatchObject({ has_token: true, last_error: null });
    const again = (await api.user('get', '/api/v1/gateways/discover').expect(200)).body;
    expect(again.already_added_gateway_id).toBe(created.body.id);
  });

  it('says plainly when there is nothing to detect', async () => {
    const other = await startTestApi({}, { env: { HOME: '/nonexistent-home-for-test' } });
    try {
      const res = (await other.user('get', '/api/v1/gateways/discover').expect(200)).body;
      expect(res).toMatchObject({ found: false, url: null, has_token: false, problem: null });
      const refused = await other
        .user('post', '/api/v1/gateways')
        .send({ name: 'x', url: gatewayUrl, use_discovered_token: true })
        .expect(422);
      expect(JSON.stringify(refused.body.detail)).toContain('No local gateway token');
    } finally {
      await other.stop();
    }
  });
});
