import { readAppSettings } from '../../app-settings.js';
import type { StorageRead } from '../../contract/storage.js';
import { readStorage } from '../../storage-report.js';
import { formatBytes, type CheckDef, type CheckEnv } from '../types.js';

/*
 * The disk and the log (docs/security.md): the log file is rotated by size and the growing tables keep
 * a configurable horizon. This check shows both with their numbers, and warns when the log takes more
 * than its cap (rotation is not working), when the last retention run failed, or when rotated files
 * beyond the ones kept are lying around.
 */

function storageOf(env: CheckEnv): StorageRead {
  if (env.app?.storage) return env.app.storage();
  // Without the app: what the next start would keep (a saved Settings value where no flag set it).
  const saved = readAppSettings(env.dataDir)?.preferences.retention_days;
  return readStorage({
    dataDir: env.dataDir,
    logMaxMb: env.config.logMaxMb,
    logFiles: env.config.logFiles,
    retentionDays: env.config.setBy.retentionDays ? env.config.retentionDays : (saved ?? env.config.retentionDays),
    sqlite: env.sqlite,
    lastRun: null,
    nextRunAt: null,
  });
}

export const storageGrowth: CheckDef = {
  id: 'storage.growth',
  title: 'Log size and data retention',
  severity: 'warning',
  needsApp: false,
  verify: 'Reads the log files’ sizes, the table sizes and the last retention run again.',
  run(env) {
    const s = storageOf(env);
    const evidence = {
      log_dir: s.log.dir,
      log_files: s.log.files,
      log_total_bytes: s.log.total_bytes,
      log_cap_bytes: s.log.cap_bytes,
      rotate_at_bytes: s.log.max_bytes,
      rotated_files_kept: s.log.files_kept,
      retention_days: s.retention.days,
      retention_keeps: s.retention.keeps,
      last_retention_run: s.retention.last_run,
      next_retention_run_at: s.retention.next_run_at,
      tables: s.tables,
    };
    const rows = s.tables.map((t) => `${t.table} ${t.rows}`).join(', ');
    const summary =
      `Log: ${formatBytes(s.log.total_bytes)} in ${s.log.files.length} file(s), at most ${formatBytes(s.log.cap_bytes)} ` +
      `(rotated at ${formatBytes(s.log.max_bytes)}, ${s.log.files_kept} kept). Retention: ${s.retention.days} day(s)` +
      `${s.retention.last_run ? `, last run ${s.retention.last_run.at}` : ''}. Rows: ${rows || 'database not readable'}.`;
    const problems: string[] = [];
    if (s.log.total_bytes > s.log.cap_bytes)
      problems.push(
        `the log takes ${formatBytes(s.log.total_bytes)}, more than its cap of ${formatBytes(s.log.cap_bytes)}: rotation is failing (look for log.rotation_failed) or files from another setting are left over`,
      );
    if (s.log.files.length > s.log.files_kept + 1)
      problems.push(`${s.log.files.length - s.log.files_kept - 1} rotated log file(s) beyond the ${s.log.files_kept} kept can be deleted`);
    if (s.retention.last_run?.error) problems.push(`the last retention run failed: ${s.retention.last_run.error}`);
    if (problems.length) return { status: 'warn', explanation: `${problems.join('; ')}. ${summary}`, evidence };
    return { status: 'ok', explanation: summary, evidence };
  },
};
