import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { frameText as text, tiePair } from './ws-relay.js';

/*
 * FAKE, on purpose: a fault-injecting WebSocket proxy in front of the REAL gateway that answers the next
 * requests of one method with an error of the gateway's own shape instead of forwarding them; every other
 * frame (challenge, signed connect, hello, requests, events) is relayed unchanged.
 *
 * The fault it injects was seen on the real gateway (openclaw 2026.9.6) but only under heavy load, so a
 * test cannot make the real gateway produce it on demand: `agents.delete` answered
 *   {code:"UNAVAILABLE", message:"OpenClawStateLeaseError: agent deletion core:agent-deletion/<id> was
 *    lost: code=OPENCLAW_STATE_LEASE_LOST <- Error: state lease heartbeat did not become ready …"}
 * while the deletion itself was left unfinished on the gateway.
 */

export interface InjectedError {
  code: string;
  message: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export interface FakeFlakyGatewayProxy {
  url: string;
  /** Requests answered by the fake so far, by method (a test can see the fault was really injected). */
  injected: Record<string, number>;
  /** Requests relayed to the real gateway so far, by method. */
  forwarded: Record<string, number>;
  /** Every client connection so far, with its requests in order and what became of each. */
  connections: { requests: { method: string; outcome: 'injected' | 'forwarded' }[] }[];
  /** Answer the next `times` requests of `method` with `error` (the real gateway never sees them). */
  failNext(method: string, times: number, error: InjectedError): void;
  close(): Promise<void>;
}


export async function startFakeFlakyGatewayProxy(gatewayUrl: string): Promise<FakeFlakyGatewayProxy> {
  const failures = new Map<string, { left: number; error: InjectedError }>();
  const injected: Record<string, number> = {};
  const forwarded: Record<string, number> = {};
  const connections: FakeFlakyGatewayProxy['connections'] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const pairs = new Set<{ client: WebSocket; upstream: WebSocket }>();

  server.on('connection', (client) => {
    const upstream = new WebSocket(gatewayUrl);
    const pair = { client, upstream };
    pairs.add(pair);
    const toUpstream: string[] = [];
    const record: FakeFlakyGatewayProxy['connections'][number] = { requests: [] };
    connections.push(record);

    client.on('message', (data) => {
      const raw = text(data);
      const frame = JSON.parse(raw) as { type?: string; id?: string; method?: string };
      const failure = frame.type === 'req' && frame.method ? failures.get(frame.method) : undefined;
      if (failure && failure.left > 0 && frame.method) {
        failure.left -= 1;
        injected[frame.method] = (injected[frame.method] ?? 0) + 1;
        record.requests.push({ method: frame.method, outcome: 'injected' });
        client.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error: failure.error }));
        return;
      }
      if (frame.type === 'req' && frame.method) {
        forwarded[frame.method] = (forwarded[frame.method] ?? 0) + 1;
        record.requests.push({ method: frame.method, outcome: 'forwarded' });
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(raw);
      else toUpstream.push(raw);
    });
    upstream.on('open', () => {
      for (const raw of toUpstream.splice(0)) upstream.send(raw);
    });
    upstream.on('message', (data) => {
      if (client.readyState === WebSocket.OPEN) client.send(text(data));
    });
    tiePair(client, upstream, () => pairs.delete(pair));
  });

  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    forwarded,
    connections,
    failNext(method, times, error) {
      failures.set(method, { left: times, error });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.terminate();
          upstream.terminate();
        }
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
