import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { TlsFingerprint } from './gateways.js';
import { defineRoute } from './route.js';

/*
 * The doctor: checks as data, fixes through the API, each fix followed by its check again (verify),
 * and a support bundle without secrets. The seed troubleshooting guide, as a product
 * (docs/troubleshooting.md maps it heading by heading).
 */

export const CHECK_IDS = [
  'api.port',
  'api.base_url',
  'gateway.connection',
  'gateway.exec_policy',
  'gateway.same_user_exec',
  'gateway.template_drift',
  'agents.token_drift',
  'agents.offline',
  'agents.never_checked_in',
  'agents.stuck',
  'scheduler.alive',
  'runtime.loops',
  'db.integrity',
  'db.migrations',
  'db.wal',
  'disk.free',
  'storage.growth',
  'disk.full',
  'process.memory',
  'logging.level',
] as const;
export const CheckId = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckId>;

export const FIX_ACTIONS = [
  'retest_gateway',
  'trust_gateway_certificate',
  'allow_checkin',
  'reprovision_agent',
  'wake_agent',
  'sync_templates',
  'rotate_tokens_and_sync',
  'set_log_level',
  'reveal_logs',
  'checkpoint_wal',
  'restart_scheduler',
] as const;
export const FixAction = z.enum(FIX_ACTIONS);
export type FixAction = z.infer<typeof FixAction>;

export const CheckStatus = z.enum(['ok', 'warn', 'fail', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const LogLevelName = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/** One fix a check offers: what to POST to `/api/v1/doctor/fix` (with the check’s id). */
export const DoctorFix = z.object({
  action: FixAction,
  label: z.string(),
  /** Destructive fixes (a fresh session, new tokens) run only with `confirm: true`. */
  destructive: z.boolean(),
  /** The gateway or agent the fix acts on, when it acts on one. */
  target_id: Id.nullable(),
  /** A template sync limited to this board of the gateway (null: the whole gateway, main agent included). */
  board_id: Id.nullable(),
  /** For `set_log_level`: the level it sets (send it as `level`). */
  level: LogLevelName.nullable(),
  /** For `trust_gateway_certificate`: the SHA-256 fingerprint of the certificate it pins (send it as `fingerprint`). */
  fingerprint: z.string().nullable(),
});
export type DoctorFix = z.infer<typeof DoctorFix>;

export const DoctorCheckResult = z.object({
  id: CheckId,
  title: z.string(),
  severity: z.enum(['critical', 'warning', 'info']),
  status: CheckStatus,
  /** Why a check was skipped (null otherwise). */
  reason: z.string().nullable(),
  /** What the check saw (no secrets). */
  evidence: z.record(z.string(), z.unknown()),
  /** The finding in plain words. */
  explanation: z.string(),
  fixes: z.array(DoctorFix),
  /** How a fix is verified: what this check looks at when it runs again. */
  verify: z.string(),
  /** Runs without the app (CLI on the data dir), or only inside the running app. */
  needs_app: z.boolean(),
});
export type DoctorCheckResult = z.infer<typeof DoctorCheckResult>;

export const DoctorReport = z.object({
  generated_at: Timestamp,
  /** false when the CLI ran the offline checks on a data dir with no app running. */
  app_running: z.boolean(),
  summary: z.object({ ok: z.number().int(), warn: z.number().int(), fail: z.number().int(), skipped: z.number().int() }),
  checks: z.array(DoctorCheckResult),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

/** Any name in the path (an unknown check is a 404, like an unknown id); the known ones are CHECK_IDS. */
export const DoctorCheckParams = z.object({
  check_id: z
    .string()
    .min(1)
    .max(100)
    .describe(`one of: ${CHECK_IDS.join(', ')}`),
});

export const DoctorFixRequest = z.strictObject({
  check_id: CheckId,
  action: FixAction,
  target_id: Id.optional(),
  /** For `sync_templates` / `rotate_tokens_and_sync`: only this board's agents (as the fix offered it). */
  board_id: Id.optional(),
  /** Required for destructive fixes. */
  confirm: z.boolean().default(false),
  /** Required for `set_log_level`: the level to set (no silent default). */
  level: LogLevelName.optional(),
  /**
   * Required for `trust_gateway_certificate`: the fingerprint the user compared (the one the check showed).
   * The pin is exactly this value, never whatever the gateway serves at the moment of the fix.
   */
  fingerprint: TlsFingerprint.optional(),
  /** Re-run the check until it passes or this many seconds pass (an agent's check-in takes a few seconds). */
  verify_wait_seconds: z.number().int().min(0).max(120).default(0),
});
export type DoctorFixRequest = z.infer<typeof DoctorFixRequest>;

export const DoctorFixResult = z.object({
  action: FixAction,
  target_id: Id.nullable(),
  message: z.string(),
  /** A file the fix points at (reveal_logs); the desktop app opens it. */
  path: z.string().nullable(),
  /** The check, run again after the fix. */
  verify: DoctorCheckResult,
  verified: z.boolean(),
});
export type DoctorFixResult = z.infer<typeof DoctorFixResult>;

export const SupportBundleRead = z.object({
  path: z.string(),
  size_bytes: z.number().int(),
  sha256: z.string(),
  files: z.array(z.string()),
});
export type SupportBundleRead = z.infer<typeof SupportBundleRead>;

export const DOCTOR_ROUTES = {
  doctorReport: defineRoute({
    method: 'get',
    path: '/api/v1/doctor',
    operationId: 'doctor_report',
    summary: 'Run every diagnostic check and report evidence, explanation and the fixes offered',
    tags: ['doctor'],
    auth: 'user',
    response: DoctorReport,
  }),
  doctorCheck: defineRoute({
    method: 'get',
    path: '/api/v1/doctor/checks/{check_id}',
    operationId: 'doctor_check',
    summary: 'Run one diagnostic check',
    tags: ['doctor'],
    auth: 'user',
    params: DoctorCheckParams,
    response: DoctorCheckResult,
  }),
  doctorFix: defineRoute({
    method: 'post',
    path: '/api/v1/doctor/fix',
    operationId: 'doctor_fix',
    summary: 'Apply one of a check’s fixes, then run the check again (verify)',
    tags: ['doctor'],
    auth: 'user',
    body: DoctorFixRequest,
    response: DoctorFixResult,
  }),
  doctorSupportBundle: defineRoute({
    method: 'post',
    path: '/api/v1/doctor/support-bundle',
    operationId: 'doctor_support_bundle',
    summary:
      'Write a support bundle (tar.gz: recent logs, redacted config, DB summary, versions, doctor report; no secrets) into the data dir',
    tags: ['doctor'],
    auth: 'user',
    response: SupportBundleRead,
  }),
} as const;
