import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from './logging.js';

/*
 * How the CLI gets the local token from a running desktop app without a token file at rest: the app
 * listens on a unix socket in the data dir (`control.sock`, 0600, inside the 0700 data dir) and hands
 * the token to whoever connects; the CLI then calls the app's HTTP API with it, as before.
 *
 * What authenticates the channel is the operating system: only processes that may open the socket
 * file — the same OS user (and root) — can connect. That is exactly who could read a 0600 token
 * file, so against a process of the same user (an agent whose gateway runs as you with exec
 * security "full") it changes nothing, and says so (docs/security.md). What it buys: no token lies in
 * the data dir at rest — not in a backup, a copied or synced data folder, a support bundle — and it
 * exists only while the app runs (a new one each start). Windows has no unix-socket file permissions
 * in the same sense; the desktop app there keeps the 0600 token file.
 */

export const controlSocketPath = (dataDir: string): string => join(dataDir, 'control.sock');

const Hello = z.object({ token: z.string().min(50) });

export interface LocalChannel {
  path: string;
  close(): Promise<void>;
}

/** Serve the token on `<dataDir>/control.sock`; null (logged) where the socket cannot be made. */
export async function serveLocalChannel(dataDir: string, token: string, logger: Logger): Promise<LocalChannel | null> {
  const path = controlSocketPath(dataDir);
  // A socket left by an app that crashed: the caller holds the data dir's instance claim, so it is ours.
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(`${JSON.stringify({ token })}\n`);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } catch (err) {
    logger.child('local-channel').warn('app.local_channel_unavailable', 'the local channel for the CLI could not be opened', {
      path,
      error: (err as Error).message,
    });
    return null;
  }
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

/** The running app's local token over its socket, or null when nothing answers there. */
export function askLocalToken(dataDir: string, timeoutMs = 3_000): Promise<string | null> {
  return new Promise((resolve) => {
    let data = '';
    const socket = createConnection(controlSocketPath(dataDir));
    const done = (value: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > 4096) done(null);
    });
    socket.on('end', () => {
      try {
        const parsed = Hello.safeParse(JSON.parse(data));
        done(parsed.success ? parsed.data.token : null);
      } catch {
        done(null);
      }
    });
    socket.on('error', () => done(null));
  });
}
