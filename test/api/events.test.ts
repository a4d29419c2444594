import { describe, expect, it } from 'vitest';
import { GatewayRead } from '../../backend/contract/gateways.js';
import { fixtures, useTestApi } from '../support/api.js';
import { openEventStream } from '../support/sse.js';

/** The live event stream the UI and tray consume: an agent's status change arrives within a second. */
const api = useTestApi();
const f = fixtures(api);

describe('GET /api/v1/events', () => {
  it('needs the local token', async () => {
    await api.raw().get('/api/v1/events').expect(401);
  });

  it('streams an agent event for its check-in (how fast it reaches the screen is bench/ui’s measure)', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const stream = await openEventStream(api.url, api.backend.localToken);
    try {
      await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
      const event = await stream.waitFor(
        (e) =>
          e.event === 'agent' &&
          (e.data as { id: string; status: string }).id === agent.id &&
          (e.data as { status: string }).status === 'online',
        3_000,
      );
      expect(event).not.toBeNull();
    } finally {
      await stream.close();
    }
  });
});

describe('GET /api/v1/events: gateway status', () => {
  it('streams a gateway event when its connection changes state, with the classified last error', async () => {
    const stream = await openEventStream(api.url, api.backend.localToken);
    try {
      // Nothing listens there, so it cannot connect; its token must never travel on the stream.
      const token = `gw-stream-secret-${Date.now()}-abcdefghijklmnop`;
      const gateway = await f.gateway({ name: 'Streamed gateway', token });
      const event = await stream.waitFor(
        (e) =>
          e.event === 'gateway' && (e.data as GatewayRead).id === gateway.id && (e.data as GatewayRead).last_error?.code === 'unreachable',
        10_000,
      );
      expect(event, JSON.stringify(stream.events.map((e) => e.event))).not.toBeNull();
      // On the raw event (a parse would strip an unknown key before the check could see it).
      expect(JSON.stringify(event!.data)).not.toContain(token);
      expect(Object.keys(event!.data as object)).not.toContain('token');
      const streamed = GatewayRead.parse(event!.data);
      expect(streamed.connection_state).not.toBe('connected');
      // The same record the API serves.
      const read = (await api.user('get', `/api/v1/gateways/${gateway.id}`).expect(200)).body as GatewayRead;
      expect(read.last_error?.code).toBe('unreachable');
    } finally {
      await stream.close();
    }
  });
});
