import { and, isNotNull, lt } from 'drizzle-orm';
import { join } from 'node:path';
import { agents } from '../../db/schema.js';
import { fix, formatBytes, type CheckDef } from '../types.js';

export const logFileOf = (dataDir: string) => join(dataDir, 'logs', 'mission-control.log');

export const schedulerAlive: CheckDef = {
  id: 'scheduler.alive',
  title: 'Lifecycle scheduler running',
  severity: 'critical',
  needsApp: true,
  verify: 'Reads the wake ladder’s last tick and the overdue check-in deadlines again.',
  run(env) {
    const app = env.app!;
    const now = env.now().getTime();
    const last = app.services.wakeLadder.lastTickAt;
    const age = last ? now - last.getTime() : null;
    const overdueBefore = new Date(now - env.thresholds.overdueGraceMs);
    const overdue = app.services.ctx.db
      .select({ id: agents.id, name: agents.name, deadline: agents.checkinDeadlineAt })
      .from(agents)
      .where(and(isNotNull(agents.checkinDeadlineAt), lt(agents.checkinDeadlineAt, overdueBefore)))
      .all();
    const evidence = {
      last_tick_at: last?.toISOString() ?? null,
      last_tick_age_ms: age,
      overdue_deadlines: overdue.map((o) => ({ agent_id: o.id, name: o.name, deadline: o.deadline?.toISOString() ?? null })),
    };
    const stale = age === null || age > env.thresholds.maxTickAgeMs;
    if (stale || overdue.length) {
      const what = [
        stale
          ? age === null
            ? 'the lifecycle scheduler has not ticked since the app started'
            : `its last tick was ${Math.round(age / 1000)} s ago`
          : null,
        overdue.length ? `${overdue.length} check-in deadline(s) are overdue by more than ${env.thresholds.overdueGraceMs / 1000} s` : null,
      ].filter(Boolean);
      return {
        status: 'fail',
        explanation: `The scheduler that wakes agents and ends ladders is not keeping up: ${what.join('; ')}. Restarting it resumes every ladder from the database.`,
        evidence,
        fixes: [fix('restart_scheduler', 'Restart the lifecycle scheduler')],
      };
    }
    return { status: 'ok', explanation: `The scheduler ticked ${Math.round((age ?? 0) / 1000)} s ago; no deadline is overdue.`, evidence };
  },
};

export const memory: CheckDef = {
  id: 'process.memory',
  title: 'Backend memory',
  severity: 'warning',
  needsApp: true,
  verify: 'Reads the process memory again.',
  run(env) {
    const m = process.memoryUsage();
    const evidence = {
      rss_bytes: m.rss,
      heap_used_bytes: m.heapUsed,
      heap_total_bytes: m.heapTotal,
      limit_bytes: env.thresholds.maxRssBytes,
    };
    if (m.rss > env.thresholds.maxRssBytes) {
      return {
        status: 'warn',
        explanation: `The backend uses ${formatBytes(m.rss)} of memory (more than ${formatBytes(env.thresholds.maxRssBytes)}). Restart the app; if it grows again, send a support bundle.`,
        evidence,
        fixes: [fix('reveal_logs', 'Show the log file')],
      };
    }
    return { status: 'ok', explanation: `The backend uses ${formatBytes(m.rss)} of memory.`, evidence };
  },
};

export const logLevel: CheckDef = {
  id: 'logging.level',
  title: 'Log level',
  severity: 'info',
  needsApp: true,
  verify: 'Reads the logger’s current level again.',
  run(env) {
    const app = env.app!;
    const level = app.logger.level;
    const evidence = { level, configured: env.config.logLevel, log_file: logFileOf(env.dataDir) };
    if (level === 'debug' || level === 'trace') {
      return {
        status: 'warn',
        explanation: `Debug logging is on (${level}): the log grows fast. Turn it back to info when you are done.`,
        evidence,
        fixes: [fix('set_log_level', 'Set the log level to info', null, false, null, 'info'), fix('reveal_logs', 'Show the log file')],
      };
    }
    if (level === 'silent' || level === 'fatal') {
      return {
        status: 'warn',
        explanation: `Logging is ${level}: failures will leave no trace. Set it to info.`,
        evidence,
        fixes: [fix('set_log_level', 'Set the log level to info', null, false, null, 'info')],
      };
    }
    return {
      status: 'ok',
      explanation: `Logging at ${level}. For a one-off investigation, switch to debug here (no restart) and back afterwards.`,
      evidence,
      fixes: [fix('reveal_logs', 'Show the log file')],
    };
  },
};
