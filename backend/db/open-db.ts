import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, existsSync } from 'node:fs';
import { resolveAppPath } from '../app-paths.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;
/** The database or a transaction on it: what helpers that must join the caller's transaction take. */
export type DbOrTx = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export interface OpenedDb {
  db: Db;
  /** The raw driver, for pragmas, integrity checks and the benchmark's prepared statements. */
  sqlite: Database.Database;
  close(): void;
}

/**
 * The one place that knows the driver: open the file, set pragmas, apply migrations.
 * Changing the SQLite driver means changing this file only.
 */
export function openDb(file: string, options: { nativeBinding?: string | undefined } = {}): OpenedDb {
  const isNew = file !== ':memory:' && !existsSync(file);
  const sqlite = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  if (isNew) chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: resolveAppPath('backend/db/migrations') });
  return {
    db,
    sqlite,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
