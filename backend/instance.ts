import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/*
 * `<dataDir>/instance.json` says which process serves a data dir and where. It lets the CLI talk to
 * a running app through its API (instead of writing the database behind its back) and stops a second
 * backend from running the same lifecycle ladders on the same database (double wakes).
 */

const InstanceFile = z.object({
  pid: z.number().int().positive(),
  /** Where the app's API answers. Absent when a CLI holds the data dir directly (see `purpose`). */
  url: z.url().optional(),
  started_at: z.string(),
  /** What holds the data dir when it is not the app, e.g. `mission-control templates sync`. */
  purpose: z.string().optional(),
});
export type RunningInstance = z.infer<typeof InstanceFile>;

export const instanceFile = (dataDir: string): string => join(dataDir, 'instance.json');

export class InstanceRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly instance: RunningInstance,
  ) {
    super(
      instance.url
        ? `Mission Control is already running on this data dir (pid ${instance.pid}, ${instance.url}). ` +
            `Open that one, stop it, or start this one with another --data-dir.`
        : `\`${instance.purpose ?? 'another Mission Control command'}\` is using this data dir (pid ${instance.pid}). ` +
            `Wait for it to finish, or use another --data-dir.`,
    );
    this.name = 'InstanceRunningError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The instance serving `dataDir`, or undefined when none is (a file left by a killed process is ignored). */
export function readRunningInstance(dataDir: string): RunningInstance | undefined {
  let raw: string;
  try {
    raw = readFileSync(instanceFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = InstanceFile.safeParse(json);
  if (!parsed.success || !alive(parsed.data.pid)) return undefined;
  return parsed.data;
}

/** Refuses to start when another live process serves the same data dir. */
export function assertNoRunningInstance(dataDir: string): void {
  const running = readRunningInstance(dataDir);
  if (running) throw new InstanceRunningError(dataDir, running);
}

export function writeInstance(dataDir: string, url: string, now: Date): void {
  // A command that claimed the data dir while this backend was starting wins: refuse rather than overwrite.
  const other = readRunningInstance(dataDir);
  if (other && other.pid !== process.pid) throw new InstanceRunningError(dataDir, other);
  const instance: RunningInstance = { pid: process.pid, url, started_at: now.toISOString() };
  writeFileSync(instanceFile(dataDir), `${JSON.stringify(instance)}\n`, { mode: 0o600 });
}

/**
 * Hold the data dir for a command that opens the database itself (the CLI when the app is not
 * running): created exclusively, so of two claimants one fails, and an app starting meanwhile is
 * refused. A file left by a dead process is replaced. Returns the release function.
 */
export function claimInstance(dataDir: string, purpose: string, now: Date = new Date()): () => void {
  const instance: RunningInstance = { pid: process.pid, started_at: now.toISOString(), purpose };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(instanceFile(dataDir), `${JSON.stringify(instance)}\n`, { mode: 0o600, flag: 'wx' });
      return () => removeInstance(dataDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readRunningInstance(dataDir);
    if (holder) throw new InstanceRunningError(dataDir, holder);
    rmSync(instanceFile(dataDir), { force: true }); // left by a dead process
  }
  throw new Error(`Could not claim ${instanceFile(dataDir)}: another process keeps creating it.`);
}

/** Removes the file if it still names this process (a newer instance may have replaced it). */
export function removeInstance(dataDir: string): void {
  const current = readRunningInstance(dataDir);
  if (current && current.pid !== process.pid) return;
  rmSync(instanceFile(dataDir), { force: true });
}
