import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { BackendConfig } from '../config.js';
import type {
  CheckId,
  DoctorCheckResult,
  DoctorFixRequest,
  DoctorFixResult,
  DoctorReport,
  SupportBundleRead,
} from '../contract/diagnostics.js';
import type { StorageRead } from '../contract/storage.js';
import type { GatewayManager } from '../gateway/manager.js';
import type { Logger } from '../logging.js';
import type { Services } from '../compose.js';
import { writeSupportBundle } from './bundle.js';
import { dbFileOf } from './checks/storage.js';
import { applyFix } from './fixes.js';
import { checkById, runCheck, runChecks } from './registry.js';
import { DEFAULT_THRESHOLDS, type AppEnv, type CheckEnv, type TemplateSyncPort, type Thresholds } from './types.js';

export type { TemplateSyncPort, Thresholds } from './types.js';
export { CHECKS } from './registry.js';
export { describePortInUse } from './port.js';

export interface DiagnosticsDeps {
  services: Services;
  manager: GatewayManager;
  logger: Logger;
  config: BackendConfig;
  url: string;
  templateSync?: TemplateSyncPort;
  thresholds?: Partial<Thresholds>;
  storage?: () => StorageRead;
}

/** The doctor inside the running app (the API and Electron main use it). */
export function createDiagnostics(deps: DiagnosticsDeps) {
  const app: AppEnv = {
    services: deps.services,
    manager: deps.manager,
    logger: deps.logger,
    url: deps.url,
    templateSync: deps.templateSync ?? null,
    ...(deps.storage && { storage: deps.storage }),
  };
  const env: CheckEnv = {
    dataDir: deps.config.dataDir,
    config: deps.config,
    now: deps.services.ctx.now,
    sqlite: deps.services.ctx.sqlite,
    dbError: null,
    thresholds: { ...DEFAULT_THRESHOLDS, ...deps.thresholds },
    app,
  };
  return {
    report: (): Promise<DoctorReport> => runChecks(env),
    check: (id: CheckId): Promise<DoctorCheckResult> => runCheck(checkById(id), env),
    fix: (id: CheckId, request: DoctorFixRequest): Promise<DoctorFixResult> => applyFix(env, id, request),
    async supportBundle(): Promise<SupportBundleRead> {
      return writeSupportBundle(env, await runChecks(env));
    },
    /** Tests move limits to meet the real machine (e.g. a disk-space floor above what is free). */
    setThresholds(patch: Partial<Thresholds>): void {
      env.thresholds = { ...env.thresholds, ...patch };
    },
  };
}

export type Diagnostics = ReturnType<typeof createDiagnostics>;

/**
 * The checks that run on a data dir without the app (the CLI when nothing is running): the database
 * is opened read-only, never migrated or written.
 */
export async function runOfflineDoctor(config: BackendConfig, thresholds: Partial<Thresholds> = {}): Promise<DoctorReport> {
  const file = dbFileOf(config.dataDir);
  let sqlite: Database.Database | null = null;
  let dbError: string | null = null;
  if (!existsSync(file)) dbError = `no database at ${file} (the app has not run with this data dir)`;
  else {
    try {
      sqlite = new Database(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      dbError = (err as Error).message;
    }
  }
  try {
    return await runChecks({
      dataDir: config.dataDir,
      config,
      now: () => new Date(),
      sqlite,
      dbError,
      thresholds: { ...DEFAULT_THRESHOLDS, ...thresholds },
      app: null,
    });
  } finally {
    sqlite?.close();
  }
}
