import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/*
 * `<dataDir>/instance.json` says which process serves a data dir and where. It lets the CLI talk to
 * a running app through its API (instead of writing the database behind its back) and stops a second
 * backend from running the same lifecycle ladders on the same database (double wakes).
 *
 * Whoever holds the data dir (the app from before it opens the database, or a CLI command working on
 * it directly) created the file exclusively (`wx`): of two claimants exactly one wins. The app then
 * adds its URL by writing a temp file and renaming it over, so a reader never sees a half-written
 * file from that step. Only the exclusive create itself can be read empty or partial for an instant:
 * a file that does not parse counts as held while it is younger than WRITE_GRACE_MS, and as left
 * over (replaceable) after that.
 */

const InstanceFile = z.object({
  pid: z.number().int().positive(),
  /** Where the app's API answers. Absent while the app starts, and when a CLI holds the data dir (see `purpose`). */
  url: z.url().optional(),
  started_at: z.string(),
  /** What holds the data dir when it is not the app, e.g. `mission-control templates sync`. */
  purpose: z.string().optional(),
});
export type RunningInstance = z.infer<typeof InstanceFile>;

export const instanceFile = (dataDir: string): string => join(dataDir, 'instance.json');

/** How long an unparseable instance.json counts as being written by its creator. */
export const WRITE_GRACE_MS = 5_000;

export class InstanceRunningError extends Error {
  constructor(
    readonly dataDir: string,
    /** Null when the file is still being written (its holder is not known yet). */
    readonly instance: RunningInstance | null,
  ) {
    super(
      instance === null
        ? `Another Mission Control process is just claiming this data dir (instance.json is being written). ` +
            `Try again in a moment, or use another --data-dir.`
        : instance.url
          ? `Mission Control is already running on this data dir (pid ${instance.pid}, ${instance.url}). ` +
            `Open that one, stop it, or start this one with another --data-dir.`
          : instance.purpose
            ? `\`${instance.purpose}\` is using this data dir (pid ${instance.pid}). Wait for it to finish, or use another --data-dir.`
            : `Mission Control is starting on this data dir (pid ${instance.pid}). Open that one, or use another --data-dir.`,
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

type Holder =
  | { kind: 'none' }
  | { kind: 'live'; instance: RunningInstance }
  | { kind: 'being_written' }
  /** Left by a dead process, or unparseable and older than the grace period; `raw` is what was read. */
  | { kind: 'stale'; raw: string };

function parse(raw: string): RunningInstance | undefined {
  try {
    const parsed = InstanceFile.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function inspect(dataDir: string, now: number = Date.now()): Holder {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = readFileSync(instanceFile(dataDir), 'utf8');
    mtimeMs = statSync(instanceFile(dataDir)).mtimeMs;
  } catch {
    return { kind: 'none' }; // no file (or removed between the two calls)
  }
  const instance = parse(raw);
  if (instance) return alive(instance.pid) ? { kind: 'live', instance } : { kind: 'stale', raw };
  return now - mtimeMs < WRITE_GRACE_MS ? { kind: 'being_written' } : { kind: 'stale', raw };
}

/** The instance serving `dataDir`, or undefined when none is (a file left by a killed process is ignored). */
export function readRunningInstance(dataDir: string): RunningInstance | undefined {
  const holder = inspect(dataDir);
  return holder.kind === 'live' ? holder.instance : undefined;
}

/** Refuses when another live process holds the same data dir (or is just claiming it). */
export function assertNoRunningInstance(dataDir: string): void {
  const holder = inspect(dataDir);
  if (holder.kind === 'live') throw new InstanceRunningError(dataDir, holder.instance);
  if (holder.kind === 'being_written') throw new InstanceRunningError(dataDir, null);
}

/**
 * Move a stale file out of the way. It is renamed first and checked: if a claimant replaced it since
 * we read it, that fresh claim is put back (with link, which never overwrites) and we are refused.
 */
function removeStale(dataDir: string, raw: string): void {
  const tomb = `${instanceFile(dataDir)}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(instanceFile(dataDir), tomb);
  } catch {
    return; // already gone
  }
  let moved = '';
  try {
    moved = readFileSync(tomb, 'utf8');
  } catch {
    // unreadable: treat as the stale one
  }
  if (moved !== raw) {
    try {
      linkSync(tomb, instanceFile(dataDir));
    } catch {
      // someone claimed meanwhile; theirs stays
    }
    rmSync(tomb, { force: true });
    const other = parse(moved);
    throw new InstanceRunningError(dataDir, other ?? null);
  }
  rmSync(tomb, { force: true });
}

/** Create instance.json exclusively for `instance`; refuse if a live (or just-starting) holder has it. */
function claim(dataDir: string, instance: RunningInstance): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(instanceFile(dataDir), `${JSON.stringify(instance)}\n`, { mode: 0o600, flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = inspect(dataDir);
    if (holder.kind === 'live') throw new InstanceRunningError(dataDir, holder.instance);
    if (holder.kind === 'being_written') throw new InstanceRunningError(dataDir, null);
    if (holder.kind === 'stale') removeStale(dataDir, holder.raw);
  }
  throw new Error(`Could not claim ${instanceFile(dataDir)}: another process keeps creating it.`);
}

/**
 * The app's claim, taken before it opens the database: `{pid, started_at}` without a URL until
 * `writeInstance` adds it. Release with `removeInstance`.
 */
export function claimForApp(dataDir: string, now: Date = new Date()): void {
  claim(dataDir, { pid: process.pid, started_at: now.toISOString() });
}

/** Add the app's URL to its claim (temp file + rename: never seen half-written). */
export function writeInstance(dataDir: string, url: string, now: Date): void {
  const current = inspect(dataDir);
  // Only over our own claim: anything else means the claim was lost, and overwriting would hide another holder.
  if (current.kind !== 'live' || current.instance.pid !== process.pid || current.instance.purpose !== undefined) {
    if (current.kind === 'live') throw new InstanceRunningError(dataDir, current.instance);
    throw new Error(`${instanceFile(dataDir)} no longer holds this app's claim; not overwriting it.`);
  }
  const instance: RunningInstance = { pid: process.pid, url, started_at: now.toISOString() };
  const temp = `${instanceFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(instance)}\n`, { mode: 0o600 });
  renameSync(temp, instanceFile(dataDir));
}

/**
 * Hold the data dir for a command that opens the database itself (the CLI when the app is not
 * running): created exclusively, so of two claimants one fails, and an app starting meanwhile is
 * refused. A file left by a dead process is replaced. Returns the release function.
 */
export function claimInstance(dataDir: string, purpose: string, now: Date = new Date()): () => void {
  claim(dataDir, { pid: process.pid, started_at: now.toISOString(), purpose });
  return () => removeInstance(dataDir);
}

/** Removes the file if it still names this process (a newer instance may have replaced it). */
export function removeInstance(dataDir: string): void {
  const current = inspect(dataDir);
  if (current.kind === 'live' && current.instance.pid !== process.pid) return;
  if (current.kind === 'being_written') return;
  rmSync(instanceFile(dataDir), { force: true });
}
