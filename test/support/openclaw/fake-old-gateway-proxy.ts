import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { frameText as text, tiePair } from './ws-relay.js';

/*
 * FAKE, on purpose: a fault-injecting WebSocket proxy in front of the REAL gateway that makes it look like
 * an older OpenClaw. Gateway 2026.9.6 speaks only protocol 4 and always advertises the core methods, so a
 * real gateway cannot be made to refuse our protocol or to lack a method we need; this proxy injects
 * exactly those two faults and relays everything else frame by frame (challenge, signed connect, hello,
 * requests, events) unchanged:
 *
 * - `dropMethods`: the real gateway's `hello-ok` with these methods removed from `features.methods`, as a
 *   gateway built before them would advertise (→ method_not_advertised).
 * - `protocol`: our connect frame's minProtocol/maxProtocol are rewritten in transit to this protocol, so
 *   the REAL gateway refuses the connect with its own refusal (`INVALID_REQUEST "protocol mismatch"`,
 *   details.code `PROTOCOL_MISMATCH`, then close 1002). The numbers in that refusal are then mirrored back
 *   (`clientMin/MaxProtocol` = what our client sent, `expectedProtocol` = this protocol), so it reads as
 *   the refusal of a gateway speaking `protocol` to our protocol-4 client (→ protocol_mismatch).
 *
 * `stopInjecting()` is "the gateway was upgraded": faults off, open connections dropped.
 */

export interface FakeOldGatewayFaults {
  /** Methods removed from the advertised `features.methods` of every hello-ok. */
  dropMethods: string[];
  /** The protocol this "gateway" speaks (null: the real gateway's own, no rewrite). */
  protocol: number | null;
}

export interface FakeOldGatewayProxy {
  url: string;
  /** Frames rewritten so far, by kind (a test can see that a fault was really injected). */
  injected: { hello: number; connect: number; refusal: number };
  /** Turn faults on for new connections and drop the open ones (clients reconnect and meet them). */
  inject(faults: Partial<FakeOldGatewayFaults>): void;
  /** "Upgrade the gateway": no more faults; open connections dropped. */
  stopInjecting(): void;
  close(): Promise<void>;
}


export async function startFakeOldGatewayProxy(gatewayUrl: string): Promise<FakeOldGatewayProxy> {
  let faults: FakeOldGatewayFaults = { dropMethods: [], protocol: null };
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const pairs = new Set<{ client: WebSocket; upstream: WebSocket }>();
  const injected = { hello: 0, connect: 0, refusal: 0 };

  server.on('connection', (client) => {
    const upstream = new WebSocket(gatewayUrl);
    const pair = { client, upstream };
    pairs.add(pair);
    const active = { ...faults, dropMethods: [...faults.dropMethods] };
    // The client's protocol range, kept to mirror the refusal back.
    const sent: { min?: unknown; max?: unknown; id?: string } = {};
    const toUpstream: string[] = [];

    client.on('message', (data) => {
      let raw = text(data);
      if (active.protocol !== null) {
        const frame = JSON.parse(raw) as { type?: string; id?: string; method?: string; params?: Record<string, unknown> };
        if (frame.type === 'req' && frame.method === 'connect' && frame.params) {
          sent.min = frame.params.minProtocol;
          sent.max = frame.params.maxProtocol;
          sent.id = frame.id;
          frame.params = { ...frame.params, minProtocol: active.protocol, maxProtocol: active.protocol };
          raw = JSON.stringify(frame);
          injected.connect++;
        }
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(raw);
      else toUpstream.push(raw);
    });
    upstream.on('open', () => {
      for (const raw of toUpstream.splice(0)) upstream.send(raw);
    });
    upstream.on('message', (data) => {
      let raw = text(data);
      const frame = JSON.parse(raw) as {
        type?: string;
        id?: string;
        ok?: boolean;
        payload?: { type?: string; features?: { methods?: string[] } };
        error?: { details?: Record<string, unknown> };
      };
      if (frame.type === 'res' && frame.ok && frame.payload?.type === 'hello-ok' && active.dropMethods.length > 0) {
        const methods = frame.payload.features?.methods ?? [];
        frame.payload.features = { ...frame.payload.features, methods: methods.filter((m) => !active.dropMethods.includes(m)) };
        raw = JSON.stringify(frame);
        injected.hello++;
      } else if (frame.type === 'res' && frame.id === sent.id && frame.ok === false && frame.error?.details?.code === 'PROTOCOL_MISMATCH') {
        frame.error.details = {
          ...frame.error.details,
          clientMinProtocol: sent.min,
          clientMaxProtocol: sent.max,
          expectedProtocol: active.protocol,
        };
        raw = JSON.stringify(frame);
        injected.refusal++;
      }
      if (client.readyState === WebSocket.OPEN) client.send(raw);
    });
    tiePair(client, upstream, () => pairs.delete(pair));
  });

  const dropAll = (): void => {
    for (const { client, upstream } of pairs) {
      client.terminate();
      upstream.terminate();
    }
    pairs.clear();
  };

  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    inject(next) {
      faults = { ...faults, ...next };
      dropAll();
    },
    stopInjecting() {
      faults = { dropMethods: [], protocol: null };
      dropAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
