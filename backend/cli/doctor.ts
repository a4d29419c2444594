import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { ApiError, createRouteClient } from '../contract/client.js';
import type { DoctorCheckResult, DoctorFix, DoctorFixResult, DoctorReport } from '../contract/diagnostics.js';
import { runOfflineDoctor } from '../diagnostics/index.js';
import { readRunningInstance } from '../instance.js';
import { errorLine, localTokenOfRunningApp } from './access.js';

/*
 * `mission-control doctor [--json] [--fix] [--yes]`. With the app running on the data dir it asks
 * the app (GET /api/v1/doctor, fixes through POST /api/v1/doctor/fix); otherwise it runs the checks that work on
 * the data dir alone (database, migrations, WAL, disk, port) and names the ones that need the app.
 * Exit codes: 0 nothing failed, 1 failures found (or the app could not be asked), 2 usage.
 */

export const DOCTOR_USAGE = `Usage: mission-control doctor [--json] [--fix [--yes]] [--data-dir DIR] [--port N] [--host HOST]

Checks Mission Control and its gateways, explains what is wrong and how to fix it.
  --json       print the report as JSON
  --fix        apply the offered fixes that are not destructive, then check again
  --yes        with --fix: also apply destructive fixes (re-provisioning, token rotation);
               without it --fix runs only the safe ones (e.g. a template sync that keeps tokens).
               Trusting a gateway's TLS certificate is never automatic: compare its fingerprint first,
               then trust it in the app (Troubleshoot) or with POST /api/v1/doctor/fix
Exit codes: 0 no failures, 1 failures found, 2 usage error.
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const ICON: Record<DoctorCheckResult['status'], string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' };

/** A person compares a certificate's fingerprint before it is trusted: --fix never pins one. */
const AUTOMATIC_NEVER = new Set<DoctorFix['action']>(['reveal_logs', 'trust_gateway_certificate']);

const fixHint = (f: DoctorFix): string =>
  f.action === 'trust_gateway_certificate'
    ? ' [compare the fingerprint on the gateway host, then trust it in the app]'
    : f.destructive
      ? ' [destructive: --fix --yes]'
      : '';

function render(report: DoctorReport, where: string, fixes: { check: string; result?: DoctorFixResult; error?: string }[]): string {
  const lines = [`Mission Control doctor — ${where}`, ''];
  for (const c of report.checks) {
    const text = c.status === 'skipped' ? `skipped: ${c.reason ?? ''}` : c.explanation;
    lines.push(`${ICON[c.status]} ${c.title} (${c.id}): ${text}`);
    if (c.status === 'fail' || c.status === 'warn') {
      for (const f of c.fixes) lines.push(`         fix: ${f.label}${fixHint(f)}`);
    }
  }
  for (const f of fixes) {
    lines.push(
      f.result
        ? `fixed ${f.check} with ${f.result.action}: ${f.result.message} → verify: ${f.result.verify.status}${f.result.verified ? ' (verified)' : ''}`
        : `could not fix ${f.check}: ${f.error ?? ''}`,
    );
  }
  const s = report.summary;
  lines.push('', `${s.ok} ok, ${s.warn} warning(s), ${s.fail} failure(s), ${s.skipped} skipped`);
  if (!report.app_running) {
    const needApp = report.checks.filter((c) => c.needs_app).map((c) => c.id);
    lines.push(`Mission Control is not running on this data dir; these checks need it: ${needApp.join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** The running app's API, through the one client (its checks may take minutes: 3 min per request). */
const appClient = (baseUrl: string, token: string) => createRouteClient({ baseUrl, getToken: () => token, timeoutMs: 180_000 });

export async function doctorCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean' },
        fix: { type: 'boolean' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
      },
    }));
  } catch (err) {
    io.err(`mission-control doctor: ${(err as Error).message}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  if (values.yes && !values.fix) {
    io.err(`mission-control doctor: --yes only goes with --fix\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  let config;
  try {
    const passed = (['data-dir', 'port', 'host'] as const).flatMap((k) => (values[k] !== undefined ? [`--${k}`, values[k]] : []));
    config = loadConfig(passed, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`mission-control doctor: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  // A claim without a URL is another CLI command holding the data dir: only the offline checks apply.
  const instance = readRunningInstance(config.dataDir);
  const running = instance?.url ? { ...instance, url: instance.url } : undefined;
  let report: DoctorReport;
  let where: string;
  const fixes: { check: string; result?: DoctorFixResult; error?: string }[] = [];
  if (running) {
    where = `asking the running app at ${running.url} (pid ${running.pid})`;
    let token: string;
    try {
      token = await localTokenOfRunningApp(config.dataDir, env);
    } catch (err) {
      io.err(`mission-control doctor: cannot read the local token: ${(err as Error).message}\n`);
      return 1;
    }
    try {
      const call = appClient(running.url, token);
      report = await call('doctorReport');
      if (values.fix) {
        for (const check of report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')) {
          for (const f of check.fixes.filter((x) => !AUTOMATIC_NEVER.has(x.action) && (!x.destructive || values.yes))) {
            try {
              const result = await call('doctorFix', {
                body: {
                  check_id: check.id,
                  action: f.action,
                  ...(f.target_id && { target_id: f.target_id }),
                  ...(f.board_id && { board_id: f.board_id }),
                  ...(f.level && { level: f.level }),
                  confirm: f.destructive,
                  verify_wait_seconds: 30,
                },
              });
              fixes.push({ check: check.id, result });
              if (result.verified) break;
            } catch (err) {
              fixes.push({ check: check.id, error: err instanceof ApiError ? errorLine(err) : (err as Error).message });
            }
          }
        }
        if (fixes.length) report = await call('doctorReport');
      }
    } catch (err) {
      io.err(
        `mission-control doctor: the running app did not answer: ${err instanceof ApiError ? errorLine(err) : (err as Error).message}\n`,
      );
      return 1;
    }
  } else {
    where = `Mission Control is not running; checked the data dir ${config.dataDir} directly`;
    report = await runOfflineDoctor(config);
    if (values.fix && report.summary.fail > 0) {
      fixes.push({
        check: '*',
        error: 'fixes run inside the app: start Mission Control (mission-control serve) and run doctor --fix again',
      });
    }
  }
  io.out(
    values.json ? `${JSON.stringify(values.fix ? { ...report, fixes_applied: fixes } : report, null, 2)}\n` : render(report, where, fixes),
  );
  return report.summary.fail > 0 ? 1 : 0;
}
