import { connect, createServer, type Socket } from 'node:net';

/*
 * A minimal reverse proxy in front of the real gateway, the way nginx or Caddy sits in front of a remote
 * one: it forwards every byte, and adds request headers to the HTTP upgrade. That is how tests put Mission
 * Control "elsewhere" on a loopback-only machine: with `gateway.trustedProxies: ["127.0.0.1"]` and an
 * `X-Forwarded-For` of a remote address the gateway treats the client as remote (no silent local
 * pairing), and an `x-openclaw-scopes` header caps the connection's scopes (a documented proxy feature).
 * The gateway decides everything itself; the proxy only carries the headers. Header changes apply to new
 * connections (a WebSocket keeps its upgrade).
 */

export interface ReverseProxy {
  url: string;
  /** Headers added to each new upgrade request (replace the object's contents to change them). */
  headers: Record<string, string>;
  /** Client connections accepted so far (each a connect attempt of the client behind it). */
  accepted: number;
  /** Drop every open connection (the client reconnects, and sees the current headers). */
  dropAll(): void;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

export async function startReverseProxy(targetPort: number, headers: Record<string, string> = {}): Promise<ReverseProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const proxy: ReverseProxy = {
    url: '',
    headers,
    accepted: 0,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.dropAll();
        server.close(() => resolve());
      }),
  };
  const server = createServer((client) => {
    proxy.accepted += 1;
    track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        if (head.length > MAX_HEAD) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const added = Object.entries(proxy.headers).map(([k, v]) => `${k}: ${v}`);
      const rewritten = Buffer.concat([Buffer.from([...lines, ...added].join('\r\n'), 'latin1'), head.subarray(end)]);
      const upstream = connect(targetPort, '127.0.0.1', () => {
        upstream.write(rewritten);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      track(upstream);
      const both = (): void => {
        client.destroy();
        upstream.destroy();
      };
      upstream.once('error', both).once('close', both);
      client.once('error', both).once('close', both);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}
