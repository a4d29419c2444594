/** Spawn a server, time spawn → first 200 from GET /healthz (or another path), read its RSS at that moment, stop it. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';

export interface StartSample {
  /** ms from spawn() to the first 200 answer of /healthz. */
  ms: number;
  /** Resident set size of the server process when that answer arrived, in MB. */
  rssMb: number;
}

/** A port free right now (bound on 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls every `pollMs` (a refused connection costs ≈ 0.1 ms), so the figure is at most `pollMs` late,
 * the same for both servers. Ends the child with SIGTERM (SIGKILL after 5 s) before resolving.
 */
export async function timeStart(
  command: string,
  args: string[],
  port: number,
  opts: { env?: NodeJS.ProcessEnv; pollMs?: number; timeoutMs?: number; path?: string } = {},
): Promise<StartSample> {
  const pollMs = opts.pollMs ?? 2;
  const t0 = performance.now();
  // Its own process group: a launcher (npm start → start.mjs → the backend) is stopped as a whole.
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: opts.env ?? process.env, detached: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  try {
    for (;;) {
      if (await answers(port, opts.path ?? '/healthz')) {
        const ms = performance.now() - t0;
        return { ms, rssMb: rssMb(child.pid!) };
      }
      if (dead) throw new Error(`${command} ${args.join(' ')} exited before answering: ${stderr.trim()}`);
      if (performance.now() - t0 > (opts.timeoutMs ?? 30_000)) throw new Error(`no /healthz answer within ${opts.timeoutMs ?? 30_000} ms`);
      await sleep(pollMs);
    }
  } finally {
    if (!dead) {
      process.kill(-child.pid!, 'SIGTERM');
      const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    }
  }
}
