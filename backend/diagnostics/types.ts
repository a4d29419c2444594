import type Database from 'better-sqlite3';
import type { BackendConfig } from '../config.js';
import type { CheckId, CheckStatus, DoctorFix } from '../contract/diagnostics.js';
import type { StorageRead } from '../contract/storage.js';
import type { TemplateDriftQuery, TemplateDriftResult, TemplateSyncQuery, TemplateSyncResult } from '../contract/templates.js';
import type { GatewayManager } from '../gateway/manager.js';
import type { Logger } from '../logging.js';
import type { Services } from '../compose.js';

/*
 * A check is a small module: an id, a title, how bad a failure is, whether it needs the running app,
 * what verifying a fix means, and `run`, which looks at real evidence and returns an outcome. The
 * registry (registry.ts) runs them and turns outcomes into `DoctorCheckResult`s.
 */

export interface Outcome {
  status: Exclude<CheckStatus, 'skipped'> | 'skipped';
  explanation: string;
  evidence?: Record<string, unknown>;
  fixes?: DoctorFix[];
  /** Why it was skipped. */
  reason?: string;
}

/** Limits the checks compare against; tests may lower or raise them to meet the real machine. */
export interface Thresholds {
  /** Below this much free disk in the data dir: fail; below 4× this: warn. */
  minFreeDiskBytes: number;
  /** WAL file larger than this: warn (checkpoint). */
  maxWalBytes: number;
  /** Backend resident memory above this: warn. */
  maxRssBytes: number;
  /** Supervisor tick older than this: fail. */
  maxTickAgeMs: number;
  /** A check-in deadline overdue by more than this: the scheduler is behind. */
  overdueGraceMs: number;
  /** Auth failures younger than this count as recent. */
  recentAuthFailureMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minFreeDiskBytes: 256 * 1024 * 1024,
  maxWalBytes: 64 * 1024 * 1024,
  maxRssBytes: 1536 * 1024 * 1024,
  maxTickAgeMs: 15_000,
  overdueGraceMs: 15_000,
  recentAuthFailureMs: 3_600_000,
};

/**
 * Template drift and the syncs are built in backend/lifecycle/template-sync.ts; the doctor uses its
 * public API through this port (backend/index.ts passes the app's template sync).
 */
export interface TemplateSyncPort {
  /** Per agent and file: in_sync / drifted / missing / unsupported, and whether its workspace token matches. */
  drift(gatewayId: string, query: TemplateDriftQuery): Promise<TemplateDriftResult>;
  /** Rewrite the agents' files; with rotate_tokens, new tokens; with verify, wake and wait for their check-ins. */
  sync(gatewayId: string, query: TemplateSyncQuery): Promise<TemplateSyncResult>;
}

/** What only the running app has. */
export interface AppEnv {
  services: Services;
  manager: GatewayManager;
  logger: Logger;
  /** Where the app listens. */
  url: string;
  templateSync: TemplateSyncPort | null;
  /** The log and the growing tables with the retention in effect (the Settings page's `storage`). */
  storage?: () => StorageRead;
}

export interface CheckEnv {
  dataDir: string;
  config: BackendConfig;
  now: () => Date;
  /** The database: the app's connection, or one the CLI opened read-only (null when it cannot be opened). */
  sqlite: Database.Database | null;
  /** Why the database could not be opened (CLI), when sqlite is null. */
  dbError: string | null;
  thresholds: Thresholds;
  app: AppEnv | null;
}

export interface CheckDef {
  id: CheckId;
  title: string;
  severity: 'critical' | 'warning' | 'info';
  /** Only meaningful inside the running app (the CLI reports it as skipped when the app is down). */
  needsApp: boolean;
  /** What running it again after a fix looks at. */
  verify: string;
  run(env: CheckEnv): Outcome | Promise<Outcome>;
}

export const fix = (
  action: DoctorFix['action'],
  label: string,
  targetId: string | null = null,
  destructive = false,
  boardId: string | null = null,
  level: DoctorFix['level'] = null,
  fingerprint: string | null = null,
): DoctorFix => ({
  action,
  label,
  destructive,
  target_id: targetId,
  board_id: boardId,
  level,
  fingerprint,
});

export const MB = 1024 * 1024;
export const formatBytes = (n: number): string => (n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(1)} GB` : `${(n / MB).toFixed(1)} MB`);
