import { describe, expect, inject, it } from 'vitest';
import { useTestApi } from '../support/api.js';
import { gatewayControl } from '../support/openclaw/gateway-control.js';
import { until } from '../support/until.js';

/*
 * The shared real gateway goes down and comes back (stopped and restarted by the global setup, same
 * port and state): Mission Control says "unreachable" while it is down and reconnects on its own.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const api = useTestApi();

describe('gateway outage', () => {
  it('is reported as unreachable while down, and the connection comes back without restarting Mission Control', async () => {
    const created = await api.user('post', '/api/v1/gateways').send({ name: 'Outage', url: gatewayUrl, token: gatewayToken }).expect(200);
    const id = created.body.id as string;
    expect((await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body.state).toBe('connected');

    await harness('halt');
    try {
      const down = await until(
        'the gateway is reported unreachable',
        async () => (await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body,
        (b) => b.error?.code === 'unreachable',
        15_000,
      );
      expect(down).toMatchObject({ ok: false, error: { code: 'unreachable', next_step: expect.stringContaining('running') } });
      const row = (await api.user('get', `/api/v1/gateways/${id}`).expect(200)).body;
      expect(row.last_error).toMatchObject({ code: 'unreachable' });
    } finally {
      await harness('restart');
    }

    // Backoff is capped at 30 s; the gateway takes ~10–15 s to start.
    const back = await until(
      'the gateway is connected again',
      async () => (await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body,
      (b) => b.ok === true,
      60_000,
    );
    expect(back).toMatchObject({ ok: true, state: 'connected', protocol_version: 4 });
    expect((await api.user('get', `/api/v1/gateways/${id}`).expect(200)).body.last_error).toBeNull();
  }, 300_000);
});
