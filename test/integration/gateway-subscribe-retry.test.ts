import { describe, expect, inject, it } from 'vitest';
import { useFlakyGateway } from '../support/flaky-gateway.js';
import type { FakeFlakyGatewayProxy } from '../support/openclaw/fake-flaky-gateway-proxy.js';
import { until } from '../support/until.js';

/*
 * The subscription to session events is what brings the gateway's own account of failed runs into the
 * wake ladder's trail. A gateway that refuses it for a moment (here: `UNAVAILABLE` with reason
 * `startup-sidecars`, the real gateway's answer while it starts; injected by a FAKE proxy in front of the
 * REAL gateway, since the real one cannot be made to refuse it on demand) is asked again, and the next
 * request reaches the real gateway.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const setup = useFlakyGateway(gatewayUrl);

describe('subscribing to the gateway’s session events', () => {
  it('a temporary refusal is followed by another try that reaches the real gateway', async () => {
    const [api, proxy] = [setup.api(), setup.proxy()];
    // Every connection's first subscription is refused (the connection test's and the lasting one's).
    proxy.failNext('sessions.subscribe', 2, {
      code: 'UNAVAILABLE',
      message: 'gateway starting (injected by the fake proxy)',
      details: { reason: 'startup-sidecars' },
    });
    await api.user('post', '/api/v1/gateways').send({ name: 'Subscribe retry', url: proxy.url, token: gatewayToken }).expect(200);

    const subscribes = (c: FakeFlakyGatewayProxy['connections'][number]) =>
      c.requests.filter((r) => r.method === 'sessions.subscribe').map((r) => r.outcome);
    // On one connection: refused, then asked again (after a wait) and relayed to the real gateway.
    await until(
      'a refused subscription is asked again on its connection',
      () => proxy.connections.some((c) => /injected.*forwarded/.test(subscribes(c).join(','))),
      30_000,
    );
    expect(proxy.injected['sessions.subscribe']).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
