import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** One request a {@link useRecordingServer} received. */
export interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/**
 * A loopback HTTP server for the suite that records every request and answers `answer` (JSON): for
 * asserting the exact requests an HTTP client sends. Started before the suite, closed after it.
 */
export function useRecordingServer(first: { status: number; body: unknown } = { status: 200, body: {} }) {
  let server: Server;
  const rec = { base: '', seen: [] as Seen[], answer: first };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        rec.seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(rec.answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(rec.answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rec.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return rec;
}
