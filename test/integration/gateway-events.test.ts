import { describe, expect, inject, it } from 'vitest';
import { GatewayRead } from '../../backend/contract/gateways.js';
import { useTestApi } from '../support/api.js';
import { openEventStream, type SseEventRecord } from '../support/sse.js';
import { gatewayControl } from '../support/openclaw/gateway-control.js';

/*
 * Gateway health is pushed, not polled: the shared real gateway is halted and restarted (global setup's
 * control endpoint, same port and state) while the UI's event stream is open. The stream carries a
 * `gateway` event for the disconnect (with the classified reason) and another for the reconnect (with
 * the gateway's version), without anyone reading GET /gateways.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const api = useTestApi();

describe('gateway status on the event stream', () => {
  it('says when the real gateway goes away (unreachable) and when it is back (connected, version)', async () => {
    const created = await api.user('post', '/api/v1/gateways').send({ name: 'Streamed', url: gatewayUrl, token: gatewayToken }).expect(200);
    const id = created.body.id as string;
    expect((await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body.state).toBe('connected');
    const stream = await openEventStream(api.url, api.backend.localToken);
    const ofThis = (e: SseEventRecord) => e.event === 'gateway' && (e.data as GatewayRead).id === id;
    try {
      const haltedAt = Date.now();
      await harness('halt');
      let down: SseEventRecord | null;
      try {
        down = await stream.waitFor(
          (e) =>
            ofThis(e) &&
            (e.data as GatewayRead).connection_state !== 'connected' &&
            (e.data as GatewayRead).last_error?.code === 'unreachable',
          20_000,
        );
      } finally {
        await harness('restart');
      }
      expect(down, JSON.stringify(stream.events.filter(ofThis).map((e) => e.data))).not.toBeNull();
      const lost = GatewayRead.parse(down!.data);
      expect(lost.last_error).toMatchObject({ code: 'unreachable', next_step: expect.any(String) });
      expect(down!.at).toBeGreaterThanOrEqual(haltedAt);

      // Backoff is capped at 30 s; the gateway takes ~10–15 s to start.
      const up = await stream.waitFor(
        (e) => ofThis(e) && e.at > down!.at && (e.data as GatewayRead).connection_state === 'connected',
        60_000,
      );
      expect(up, JSON.stringify(stream.events.filter(ofThis).map((e) => e.data))).not.toBeNull();
      const back = GatewayRead.parse(up!.data);
      expect(back.last_error).toBeNull();
      expect(back.server_version).toMatch(/^\d{4}\.\d+\.\d+/);
      expect(back.protocol_version).toBe(4);
    } finally {
      await stream.close();
    }
  }, 300_000);
});
