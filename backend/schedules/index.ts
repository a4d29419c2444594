import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { CheckId, DoctorCheckResult } from '../contract/diagnostics.js';
import type { RetentionRun } from '../contract/storage.js';
import type { Logger } from '../logging.js';
import { createDbBackup } from './db-backup.js';
import { createScheduleJobs } from './jobs.js';
import { savedBackupKeep } from './schedule-settings.js';
import { createSchedules, type Schedules } from './scheduler.js';

export type { Schedules } from './scheduler.js';

/** Everything the running app's schedules need, put together (the backend's start calls this once). */
export interface AppSchedulesDeps {
  dataDir: string;
  baseUrl: string;
  sqlite: Database.Database;
  now: () => Date;
  logger: Logger;
  runRetention: () => RetentionRun;
  check: (id: CheckId) => Promise<DoctorCheckResult>;
}

export function createAppSchedules(deps: AppSchedulesDeps): Schedules {
  const backup = createDbBackup({
    sqlite: deps.sqlite,
    dir: join(deps.dataDir, 'backups'),
    now: deps.now,
    keep: () => savedBackupKeep(deps.dataDir),
  });
  return createSchedules({
    dataDir: deps.dataDir,
    baseUrl: deps.baseUrl,
    now: deps.now,
    logger: deps.logger,
    backup,
    jobs: createScheduleJobs({ runRetention: deps.runRetention, backup, check: deps.check }),
  });
}
