import type Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The nightly backup of the database: SQLite's online backup (better-sqlite3's `db.backup()`, a
 * consistent copy while the app keeps writing) into `<dataDir>/backups/`. The copy is the user's own
 * database on their own disk, secrets included (tokens are stored hashed or sealed as in the original),
 * so it gets the database's protection: the folder 0700, the file 0600 from its first byte. It is
 * written under a `.partial` name and renamed when complete, so a file under the final name is always
 * a whole database; a crash leaves only a `.partial`, removed by the next run. After each backup the
 * oldest beyond `keep` are deleted.
 */

export const BACKUP_PREFIX = 'mission-control-';
const FINAL = /^mission-control-(\d{8}T\d{9}Z)\.db$/;
const PARTIAL_SUFFIX = '.partial';

export interface BackupFile {
  name: string;
  bytes: number;
  /** When the backup was taken (from its name). */
  at: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** Older backups deleted to keep `keep`. */
  removed: string[];
}

export interface DbBackupDeps {
  sqlite: Database.Database;
  dir: string;
  now: () => Date;
  /** Read at every run: a change on the Settings page applies to the next one. */
  keep: () => number;
}

/** `2026-12-07T03:30:00.123Z` → `20261207T033000123Z` (sorts as time does; no `:` for other file systems). */
const stamp = (at: Date): string => at.toISOString().replace(/[-:.]/g, '');

function fromStamp(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z` : new Date(0).toISOString();
}

/** The complete backups in `dir`, oldest first. */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, m: FINAL.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ name, m }) => ({ name, bytes: statSync(join(dir, name)).size, at: fromStamp(m[1]!) }));
}

export function createDbBackup(deps: DbBackupDeps) {
  return {
    dir: deps.dir,
    list: (): BackupFile[] => listBackups(deps.dir),

    /** One backup, then rotation. Throws when the copy could not be made (nothing is left under a final name). */
    async run(): Promise<BackupResult> {
      mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
      chmodSync(deps.dir, 0o700);
      // A run that died (crash, full disk) left its partial copy: never a backup, always removed.
      for (const name of readdirSync(deps.dir)) {
        if (name.startsWith(BACKUP_PREFIX) && name.endsWith(PARTIAL_SUFFIX)) rmSync(join(deps.dir, name), { force: true });
      }
      const name = `${BACKUP_PREFIX}${stamp(deps.now())}.db`;
      const final = join(deps.dir, name);
      const partial = `${final}${PARTIAL_SUFFIX}`;
      // Created 0600 before SQLite writes a page (an empty file is an empty database to SQLite).
      closeSync(openSync(partial, 'w', 0o600));
      try {
        await deps.sqlite.backup(partial);
        chmodSync(partial, 0o600);
        renameSync(partial, final);
      } catch (err) {
        rmSync(partial, { force: true });
        rmSync(`${partial}-journal`, { force: true });
        throw err;
      }
      const all = listBackups(deps.dir);
      const removed = all.slice(0, Math.max(0, all.length - deps.keep())).map((b) => b.name);
      for (const old of removed) rmSync(join(deps.dir, old), { force: true });
      return { file: final, bytes: statSync(final).size, removed };
    },
  };
}

export type DbBackup = ReturnType<typeof createDbBackup>;
