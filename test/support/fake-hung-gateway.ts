import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { REQUIRED_METHODS } from '../../backend/gateway/compat.js';

/*
 * FAKE, for one fault a real gateway cannot be made to produce on demand: a gateway that accepts the
 * connection, completes the protocol-4 handshake, and then never answers a request — every call hangs
 * until the client's request timeout. Only the handshake is spoken (challenge → hello-ok); nothing
 * else about a gateway is imitated.
 */

export interface FakeHungGateway {
  url: string;
  /** Requests received and left unanswered, by method. */
  unanswered(): string[];
  stop(): Promise<void>;
}

// What provisioning requires (so the gateway saves as compatible), plus what wakes and the manager use.
const METHODS = [...REQUIRED_METHODS, 'wake', 'chat.send', 'sessions.subscribe'];

export async function startFakeHungGateway(): Promise<FakeHungGateway> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const hung: string[] = [];
  server.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: randomUUID(), ts: Date.now() } }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id?: string; method?: string; params?: { scopes?: string[] } };
      if (frame.method !== 'connect') {
        hung.push(frame.method ?? '?');
        return; // never answered
      }
      ws.send(
        JSON.stringify({
          type: 'res',
          id: frame.id,
          ok: true,
          payload: {
            type: 'hello-ok',
            protocol: 4,
            server: { version: '2026.9.6', connId: randomUUID() },
            features: { methods: METHODS, events: ['tick', 'heartbeat', 'sessions.changed'], capabilities: [] },
            auth: { method: 'token', role: 'operator', scopes: frame.params?.scopes ?? [] },
            policy: { tickIntervalMs: 30_000 },
          },
        }),
      );
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    unanswered: () => [...hung],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
