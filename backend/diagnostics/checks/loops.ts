import { statfsSync } from 'node:fs';
import type { LoopStatus } from '../../core/guarded-loop.js';
import { fix, formatBytes, type CheckDef, type CheckEnv } from '../types.js';

/*
 * The background loops' own account of their faults (backend/core/guarded-loop.ts): a loop that
 * fails keeps running with a backoff and is listed here until a run succeeds again. A full disk gets
 * its own finding, because its remedy is not in the app: free space.
 */

const loopsOf = (env: CheckEnv): LoopStatus[] => env.app!.services.ctx.loops.statuses();

const describe = (l: LoopStatus) =>
  `${l.name}: ${l.last_error ?? 'failed'}${l.last_error_code ? ` (${l.last_error_code})` : ''}, ${l.consecutive_failures} time(s) in a row, next try in ${Math.round(l.next_delay_ms / 1000)} s`;

export const backgroundLoops: CheckDef = {
  id: 'runtime.loops',
  title: 'Background loops running',
  severity: 'critical',
  needsApp: true,
  verify: 'Reads each background loop’s last outcome again (a loop that failed is retried on its own, with a backoff).',
  run(env) {
    const loops = loopsOf(env);
    const failing = loops.filter((l) => l.failing);
    const evidence = {
      loops: loops.map((l) => ({
        name: l.name,
        failing: l.failing,
        consecutive_failures: l.consecutive_failures,
        last_error: l.last_error,
        last_error_code: l.last_error_code,
        last_failure_at: l.last_failure_at,
        last_success_at: l.last_success_at,
        next_try_in_ms: l.next_delay_ms,
      })),
    };
    if (failing.length === 0) {
      return { status: 'ok', explanation: `All ${loops.length} background loops completed their last run.`, evidence };
    }
    return {
      status: 'fail',
      explanation: `${failing.length} background loop(s) are failing and retrying with a backoff — ${failing.map(describe).join('; ')}. The app keeps serving; what they do (waking agents, delivering messages, writing check-in times) waits until they succeed. The log has each failure (event loop.failed).`,
      evidence,
      fixes: [fix('reveal_logs', 'Show the log file')],
    };
  },
};

export const diskFull: CheckDef = {
  id: 'disk.full',
  title: 'Database writes have room',
  severity: 'critical',
  needsApp: true,
  verify: 'Reads the background loops’ last outcome again: the finding is gone once a write that failed for lack of space succeeds.',
  run(env) {
    const full = loopsOf(env).filter((l) => l.failing && l.disk_full);
    let free: number | null = null;
    try {
      const s = statfsSync(env.dataDir);
      free = Number(s.bavail) * Number(s.bsize);
    } catch {
      free = null;
    }
    const evidence = {
      data_dir: env.dataDir,
      free_bytes: free,
      loops: full.map((l) => ({ name: l.name, last_error: l.last_error, last_error_code: l.last_error_code, since: l.last_failure_at })),
    };
    if (full.length === 0) return { status: 'ok', explanation: 'No write has failed for lack of disk space.', evidence };
    return {
      status: 'fail',
      explanation: `The disk is full: SQLite could not write (“database or disk is full”) for ${full.map((l) => l.name).join(', ')}. What was saved is safe, but new check-in times, lifecycle entries and messages cannot be saved until there is room. Free space on the disk that holds the data folder (${env.dataDir}${free === null ? '' : `, ${formatBytes(free)} free now`}): empty the trash, delete large files you do not need, or move the data folder to a larger disk. Mission Control retries on its own; no restart is needed.`,
      evidence,
      fixes: [fix('reveal_logs', 'Show the log file')],
    };
  },
};
