import type { CheckId, DoctorCheckResult } from '../contract/diagnostics.js';
import type { RetentionRun } from '../contract/storage.js';
import type { DbBackup } from './db-backup.js';
import type { JobResult, ScheduleJobs } from './scheduler.js';

/*
 * What each schedule does. Nothing here is a second copy: retention is the app's retention pass
 * (backend/retention.ts), the checks are the doctor's own (`gateway.template_drift`,
 * `agents.token_drift`), and the backup is db-backup.ts.
 */

export interface ScheduleJobsDeps {
  /** The app's retention pass (it also moves the Settings page's "next run"). */
  runRetention: () => RetentionRun;
  backup: Pick<DbBackup, 'run'>;
  /** One doctor check, as the API runs it. */
  check: (id: CheckId) => Promise<DoctorCheckResult>;
}

/** A doctor check as a job: `warn`/`fail` is a finding (`problem`), `skipped` says why. */
async function checkJob(check: ScheduleJobsDeps['check'], id: CheckId): Promise<JobResult> {
  const result = await check(id);
  const found = result.status === 'warn' || result.status === 'fail';
  const summary = result.status === 'skipped' ? `skipped: ${result.reason ?? result.explanation}` : result.explanation;
  return { outcome: found ? 'problem' : 'ok', summary, fields: { check: id, status: result.status } };
}

export function createScheduleJobs(deps: ScheduleJobsDeps): ScheduleJobs {
  return {
    retention: () => {
      const run = deps.runRetention();
      if (run.error) return Promise.reject(new Error(run.error));
      const total = Object.values(run.deleted).reduce((a, b) => a + b, 0);
      return Promise.resolve({ outcome: 'ok', summary: `deleted ${total} row(s)`, fields: { deleted: run.deleted } });
    },
    backup: async () => {
      const result = await deps.backup.run();
      const removed = result.removed.length > 0 ? `; removed ${result.removed.length} older` : '';
      return {
        outcome: 'ok',
        summary: `wrote ${result.file} (${result.bytes} bytes)${removed}`,
        fields: { file: result.file, bytes: result.bytes, removed: result.removed },
      };
    },
    drift_check: () => checkJob(deps.check, 'gateway.template_drift'),
    token_check: () => checkJob(deps.check, 'agents.token_drift'),
  };
}
