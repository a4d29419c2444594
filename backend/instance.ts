import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/*
 * `<dataDir>/instance.json` says which process serves a data dir and where. It lets the CLI talk to
 * a running app through its API (instead of writing the database behind its back) and stops a second
 * backend from running the same lifecycle ladders on the same database (double wakes).
 */

const InstanceFile = z.object({ pid: z.number().int().positive(), url: z.url(), started_at: z.string() });
export type RunningInstance = z.infer<typeof InstanceFile>;

export const instanceFile = (dataDir: string): string => join(dataDir, 'instance.json');

export class InstanceRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly instance: RunningInstance,
  ) {
    super(
      `Mission Control is already running on this data dir (pid ${instance.pid}, ${instance.url}). ` +
        `Open that one, stop it, or start this one with another --data-dir.`,
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
  const instance: RunningInstance = { pid: process.pid, url, started_at: now.toISOString() };
  writeFileSync(instanceFile(dataDir), `${JSON.stringify(instance)}\n`, { mode: 0o600 });
}

/** Removes the file if it still names this process (a newer instance may have replaced it). */
export function removeInstance(dataDir: string): void {
  const current = readRunningInstance(dataDir);
  if (current && current.pid !== process.pid) return;
  rmSync(instanceFile(dataDir), { force: true });
}
