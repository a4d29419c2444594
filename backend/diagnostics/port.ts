import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/*
 * "Port already in use" as evidence: who holds it (where the OS tells us) and a free port to use
 * instead. Linux: the listening socket's inode from /proc/net/tcp{,6}, then the process whose fd
 * points at `socket:[inode]` (only our own user's processes are readable). Elsewhere: `lsof` if present.
 */

export interface PortOwner {
  pid: number;
  command: string;
  /** How it was found. */
  source: 'procfs' | 'lsof';
}

/** Can `host:port` be listened on right now? */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The next free port after `port` (up to 50 tried), or null. */
export async function alternativePort(host: string, port: number): Promise<number | null> {
  for (let candidate = port + 1; candidate <= Math.min(65_535, port + 50); candidate++) {
    if (await portFree(host, candidate)) return candidate;
  }
  return null;
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // st 0A = LISTEN; column 9 is the socket inode.
      if (!local || cols[3] !== '0A') continue;
      const hexPort = local.split(':').pop();
      if (hexPort && parseInt(hexPort, 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

function commandOf(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    if (cmdline) return cmdline.length > 200 ? `${cmdline.slice(0, 200)}…` : cmdline;
  } catch {
    // fall through to comm
  }
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function ownerFromProcfs(port: number): PortOwner | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`)))
          return { pid: Number(pid), command: commandOf(Number(pid)), source: 'procfs' };
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return null;
}

function ownerFromLsof(port: number): PortOwner | null {
  try {
    const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = /^p(\d+)$/m.exec(out)?.[1];
    const command = /^c(.+)$/m.exec(out)?.[1];
    return pid ? { pid: Number(pid), command: command ?? 'unknown', source: 'lsof' } : null;
  } catch {
    return null; // no lsof, or nothing found
  }
}

/** The process listening on `port`, when the OS tells us. */
export function portOwner(port: number): PortOwner | null {
  if (process.platform === 'linux') {
    const found = ownerFromProcfs(port);
    if (found) return found;
  }
  return ownerFromLsof(port);
}

export interface PortInUseReport {
  owner: PortOwner | null;
  alternative: number | null;
  /** One paragraph for people: who holds it and what to run instead. */
  message: string;
}

export async function describePortInUse(host: string, port: number): Promise<PortInUseReport> {
  const owner = portOwner(port);
  const alternative = await alternativePort(host, port);
  const who = owner
    ? `It is held by pid ${owner.pid} (${owner.command}).`
    : 'The operating system did not say which process holds it (it may belong to another user).';
  const instead =
    alternative !== null
      ? ` Port ${alternative} is free: start with --port ${alternative} (or MC_PORT=${alternative}).`
      : ' Choose another port with --port / MC_PORT.';
  const stop = owner ? ` Or stop that process (kill ${owner.pid}) if it is a leftover.` : '';
  return { owner, alternative, message: `Port ${port} on ${host} is already in use. ${who}${instead}${stop}` };
}
