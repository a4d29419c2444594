import type Database from 'better-sqlite3';
import { basename, join } from 'node:path';
import type { RetentionRun, StorageRead } from './contract/storage.js';
import { logFiles } from './log-file.js';
import { LOG_FILE_NAME } from './logging.js';
import { RETENTION_KEEPS, tableSizes } from './retention.js';

/** What the log and the growing tables take, for the Settings page and the doctor's `storage.growth` check. */
export interface StorageInputs {
  dataDir: string;
  logMaxMb: number;
  logFiles: number;
  retentionDays: number;
  /** null when the database cannot be read (the CLI on a damaged data dir). */
  sqlite: Database.Database | null;
  lastRun: RetentionRun | null;
  nextRunAt: Date | null;
}

export const logDirOf = (dataDir: string): string => join(dataDir, 'logs');

export function readStorage(input: StorageInputs): StorageRead {
  const maxBytes = input.logMaxMb * 1024 * 1024;
  const files = logFiles(join(logDirOf(input.dataDir), LOG_FILE_NAME)).map((f) => ({ name: basename(f.path), bytes: f.bytes }));
  return {
    log: {
      dir: logDirOf(input.dataDir),
      max_bytes: maxBytes,
      files_kept: input.logFiles,
      cap_bytes: (input.logFiles + 1) * maxBytes,
      files,
      total_bytes: files.reduce((a, f) => a + f.bytes, 0),
    },
    retention: {
      days: input.retentionDays,
      keeps: RETENTION_KEEPS,
      last_run: input.lastRun,
      next_run_at: input.nextRunAt?.toISOString() ?? null,
    },
    tables: input.sqlite ? tableSizes(input.sqlite) : [],
  };
}
