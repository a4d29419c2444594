import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, startTestApi } from '../support/api.js';

/** Secrets never reach the log, even at trace level with every request logged. */
describe('secrets stay out of the log', () => {
  it('gateway token, agent tokens and the local token are absent from a trace-level log', async () => {
    const api = await startTestApi({ logLevel: 'trace' });
    try {
      const f = fixtures(api);
      const gatewaySecret = `gw-secret-${'g'.repeat(30)}`;
      const gw = await f.gateway({ token: gatewaySecret });
      await api
        .user('patch', `/api/v1/gateways/${gw.id}`)
        .send({ token: `${gatewaySecret}-2`, allow_offline: true })
        .expect(200);
      const board = await f.board({ gateway_id: gw.id });
      const agent = await f.agent(board.id);
      const rotated = await f.tokenFor(agent.id);
      await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(401); // retired token
      await api.agent(rotated, 'post', '/api/v1/agent/heartbeat').expect(200);
      await api.raw().get('/api/v1/boards').set('Authorization', `Bearer ${api.backend.localToken}x`).expect(401);
      await api.user('post', '/api/v1/gateways').send({ name: 'bad', url: 'http://nope', token: gatewaySecret }).expect(422);

      api.backend.logger.flush();
      await new Promise((r) => setTimeout(r, 300));
      const log = readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8');
      expect(log).toContain('"event":"http.request"'); // trace really logged every request
      for (const secret of [gatewaySecret, agent.token, rotated, api.backend.localToken]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await api.stop();
    }
  });
});
