import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAppPath } from '../../app-paths.js';
import { fix, formatBytes, type CheckDef } from '../types.js';

export const dbFileOf = (dataDir: string) => join(dataDir, 'mission-control.db');

export const dbIntegrity: CheckDef = {
  id: 'db.integrity',
  title: 'Database integrity',
  severity: 'critical',
  needsApp: false,
  verify: 'Runs PRAGMA quick_check again.',
  run(env) {
    if (!env.sqlite && !existsSync(dbFileOf(env.dataDir))) {
      return {
        status: 'skipped',
        reason: 'no database yet (the app has not run with this data dir)',
        explanation: 'Nothing to check until the app has run once.',
      };
    }
    if (!env.sqlite)
      return {
        status: 'fail',
        explanation: `The database could not be opened: ${env.dbError ?? 'unknown error'}.`,
        evidence: { file: dbFileOf(env.dataDir) },
      };
    let rows: string[];
    try {
      rows = (env.sqlite.pragma('quick_check(20)') as Record<string, string>[]).map((r) => String(Object.values(r)[0]));
    } catch (err) {
      rows = [(err as Error).message];
    }
    if (rows.length === 1 && rows[0] === 'ok')
      return { status: 'ok', explanation: 'PRAGMA quick_check: ok.', evidence: { quick_check: rows } };
    return {
      status: 'fail',
      explanation: `The database file is damaged (PRAGMA quick_check found ${rows.length} problem(s)). Stop the app, keep a copy of ${dbFileOf(env.dataDir)}, and restore a backup; send a support bundle.`,
      evidence: { quick_check: rows.slice(0, 20), file: dbFileOf(env.dataDir) },
    };
  },
};

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export const dbMigrations: CheckDef = {
  id: 'db.migrations',
  title: 'Database schema current',
  severity: 'critical',
  needsApp: false,
  verify: 'Compares the applied migrations with the ones this build ships again.',
  run(env) {
    if (!env.sqlite)
      return { status: 'skipped', reason: 'the database could not be opened', explanation: 'See the database integrity check.' };
    const journal = JSON.parse(readFileSync(resolveAppPath('backend/db/migrations/meta/_journal.json'), 'utf8')) as Journal;
    let applied: number[];
    try {
      applied = (env.sqlite.prepare('SELECT created_at AS at FROM __drizzle_migrations ORDER BY created_at').all() as { at: number }[]).map(
        (r) => Number(r.at),
      );
    } catch {
      applied = [];
    }
    const shipped = journal.entries.map((e) => e.when);
    const pending = journal.entries.filter((e) => !applied.includes(e.when)).map((e) => e.tag);
    const unknown = applied.filter((at) => !shipped.includes(at));
    const evidence = {
      shipped: shipped.length,
      applied: applied.length,
      pending,
      unknown_applied: unknown.length,
      latest: journal.entries.at(-1)?.tag ?? null,
    };
    if (unknown.length) {
      return {
        status: 'fail',
        explanation: `The database has ${unknown.length} migration(s) this build does not know: it was used by a newer Mission Control. Use that version, or restore a backup made for this one.`,
        evidence,
      };
    }
    if (pending.length) {
      return {
        status: 'fail',
        explanation: `${pending.length} migration(s) are not applied (${pending.join(', ')}). They are applied automatically when the app starts; if the app fails to start, the log says why.`,
        evidence,
      };
    }
    return { status: 'ok', explanation: `All ${shipped.length} migrations are applied.`, evidence };
  },
};

export const dbWal: CheckDef = {
  id: 'db.wal',
  title: 'Database write-ahead log size',
  severity: 'warning',
  needsApp: false,
  verify: 'Reads the size of the -wal file again.',
  run(env) {
    const file = `${dbFileOf(env.dataDir)}-wal`;
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    const evidence = { wal_bytes: size, limit_bytes: env.thresholds.maxWalBytes };
    if (size > env.thresholds.maxWalBytes) {
      return {
        status: 'warn',
        explanation: `The write-ahead log is ${formatBytes(size)} (over ${formatBytes(env.thresholds.maxWalBytes)}): a long-running reader kept SQLite from checkpointing. A checkpoint folds it into the database.`,
        evidence,
        fixes: env.app ? [fix('checkpoint_wal', 'Checkpoint the write-ahead log')] : [],
      };
    }
    return { status: 'ok', explanation: `The write-ahead log is ${formatBytes(size)}.`, evidence };
  },
};

export const diskFree: CheckDef = {
  id: 'disk.free',
  title: 'Free disk in the data folder',
  severity: 'critical',
  needsApp: false,
  verify: 'Reads the free space of the data folder’s file system again.',
  run(env) {
    const s = statfsSync(env.dataDir);
    const free = Number(s.bavail) * Number(s.bsize);
    const min = env.thresholds.minFreeDiskBytes;
    const evidence = { data_dir: env.dataDir, free_bytes: free, min_bytes: min };
    if (free < min) {
      return {
        status: 'fail',
        explanation: `Only ${formatBytes(free)} free where the data folder is (${env.dataDir}); below ${formatBytes(min)} SQLite writes and logs start failing. Free some space.`,
        evidence,
      };
    }
    if (free < min * 4)
      return { status: 'warn', explanation: `${formatBytes(free)} free in the data folder’s file system: getting low.`, evidence };
    return { status: 'ok', explanation: `${formatBytes(free)} free in the data folder’s file system.`, evidence };
  },
};
