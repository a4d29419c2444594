import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/*
 * FAKE, for one fault a real gateway cannot be made to produce on demand: a gateway that refuses every
 * connect with a retryable error carrying the retry hint given (the real one sends `retryAfterMs` only
 * while starting, with small values — never 2^31 ms). Only the challenge and the refusal are spoken.
 */

export interface FakeRefusingGateway {
  url: string;
  /** Connect attempts received so far. */
  connects(): number;
  stop(): Promise<void>;
}

export async function startFakeRefusingGateway(retryAfterMs: number): Promise<FakeRefusingGateway> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  let connects = 0;
  server.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: randomUUID(), ts: Date.now() } }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id?: string; method?: string };
      if (frame.method !== 'connect') return;
      connects += 1;
      ws.send(
        JSON.stringify({
          type: 'res',
          id: frame.id,
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: 'gateway starting',
            details: { reason: 'startup-sidecars' },
            retryable: true,
            retryAfterMs,
          },
        }),
      );
      ws.close(1013);
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    connects: () => connects,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
