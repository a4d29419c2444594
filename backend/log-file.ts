import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import pino from 'pino';

/*
 * The log file, rotated by size: when the next line would take `mission-control.log` past `maxBytes`
 * it becomes `mission-control.log.1` (older ones shift up to `.<keep>`, the oldest is deleted) and a
 * fresh file is opened. So the log never takes more than (keep + 1) × maxBytes, whatever is logged.
 * pino's own destination (SonicBoom) does the writing; its `reopen()` is made for exactly this. No
 * new dependency, no worker thread, nothing native.
 */

export interface RotatingLogFileOptions {
  file: string;
  /** Rotate before a line would take the file past this. */
  maxBytes: number;
  /** Rotated files kept besides the current one (`.1` … `.<keep>`). */
  keep: number;
  /** A rotation that failed (the file is kept and grows until the next attempt). */
  onError?: (err: Error) => void;
}

export type LogDestination = ReturnType<typeof pino.destination>;

/** The rotated siblings of a log file that exist, newest first (`.1`, `.2`, …), with the current file first. */
export function logFiles(file: string): { path: string; bytes: number }[] {
  const dir = dirname(file);
  const name = basename(file);
  if (!existsSync(dir)) return [];
  const rotated = readdirSync(dir)
    .map((f) => ({ f, n: f.startsWith(`${name}.`) ? Number(f.slice(name.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.n) && x.n > 0)
    .sort((a, b) => a.n - b.n)
    .map((x) => join(dir, x.f));
  return [...(existsSync(file) ? [file] : []), ...rotated].map((path) => ({ path, bytes: statSync(path).size }));
}

export function createRotatingLogFile(options: RotatingLogFileOptions) {
  const { file, maxBytes } = options;
  const keep = Math.max(1, Math.floor(options.keep));
  // Synchronous writes: a line is in its file when `write` returns, so the rename below never races a
  // buffer still on its way to the old file (no log line is on a hot path: heartbeats are not logged).
  const dest: LogDestination = pino.destination({ dest: file, mkdir: true, sync: true, mode: 0o600 });
  let size = existsSync(file) ? statSync(file).size : 0;
  let failed = false;

  function rotate(): void {
    try {
      rmSync(`${file}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      renameSync(file, `${file}.1`);
    } catch (err) {
      // Report once per failure streak: a rotation that keeps failing must not become a log flood of its own.
      if (!failed) options.onError?.(err as Error);
      failed = true;
      size = 0; // the next attempt after another maxBytes, not on every line
      return;
    }
    failed = false;
    size = 0;
    dest.reopen();
  }

  /** What pino's multistream writes to: the destination, counting bytes. */
  const stream = {
    write(line: string): boolean {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      size += bytes;
      return dest.write(line);
    },
    flushSync(): void {
      try {
        dest.flushSync();
      } catch {
        // not open yet: nothing buffered can be lost by waiting for it
      }
    },
  };
  return { stream, destination: dest };
}
