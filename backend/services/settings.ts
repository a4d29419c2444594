import { join } from 'node:path';
import { appSettingsFile, readAppSettings, writeAppPreferences, type AppPreferences } from '../app-settings.js';
import { DEFAULT_LOG_LEVEL, withListeningPort, withPreferences, type BackendConfig, type UiSetting } from '../config.js';
import type { SettingsRead, SettingsUpdate } from '../contract/session.js';
import type { StorageRead } from '../contract/storage.js';
import { unprocessable } from '../errors.js';
import type { Logger } from '../logging.js';

/*
 * The Settings page's backend: what this server runs with, and the few settings the UI may change.
 * The log level and the retention horizon apply at once (the same `logger.setLevel` the doctor's fix uses) and is saved for the
 * next start; the port and the base URL agents use are saved to `<dataDir>/app-settings.json` and
 * used from the next start (the listener, the Host allowlist and everything told to agents are built
 * from them at start). A setting given by a flag or variable wins and is not editable here.
 */

export interface SettingsServiceDeps {
  /** The configuration this server runs with (after saved preferences and the real port). */
  config: BackendConfig;
  /** The configuration from flags, variables and defaults alone (before saved preferences). */
  startConfig: BackendConfig;
  logger: Logger;
  version: string;
  /** The base URL agents were told before this start (app-settings.json as found), if any. */
  previousBaseUrl: string | null;
  now: () => Date;
  /** The log and the growing tables (storage-report.ts); the retention horizon applies at once when changed. */
  storage: { read: () => StorageRead; setRetentionDays: (days: number) => void };
}

const FIELD: Record<keyof SettingsUpdate, UiSetting> = {
  port: 'port',
  base_url: 'baseUrl',
  log_level: 'logLevel',
  retention_days: 'retentionDays',
};

export function createSettingsService(deps: SettingsServiceDeps) {
  const { config, logger } = deps;
  const preferences = (): AppPreferences => readAppSettings(config.dataDir)?.preferences ?? {};

  function read(): SettingsRead {
    const saved = preferences();
    const setBy = (key: UiSetting) => config.setBy[key] ?? null;
    // What the next start would run with, given what is saved now (a reset to the default counts too);
    // port 0 means "any free port" and is no change by itself.
    const planned = withPreferences(deps.startConfig, saved);
    const next = planned.port === 0 ? withListeningPort(planned, config.port) : planned;
    const pending = (key: 'port' | 'baseUrl') => !setBy(key) && next[key] !== config[key];
    return {
      version: deps.version,
      port: config.port,
      host: config.host,
      base_url: config.baseUrl,
      data_dir: config.dataDir,
      log_dir: join(config.dataDir, 'logs'),
      log_level: logger.level,
      checkin_deadline_seconds: config.checkinDeadlineSeconds,
      max_wake_attempts: config.maxWakeAttempts,
      offline_after_seconds: config.offlineAfterSeconds,
      gateway_min_version: config.gatewayMinVersion,
      settings_file: appSettingsFile(config.dataDir),
      editable: {
        port: { saved: saved.port ?? null, set_by: setBy('port'), applies: 'restart' },
        base_url: { saved: saved.base_url ?? null, set_by: setBy('baseUrl'), applies: 'restart' },
        log_level: { saved: saved.log_level ?? null, set_by: setBy('logLevel'), applies: 'now' },
        retention_days: { saved: saved.retention_days ?? null, set_by: setBy('retentionDays'), applies: 'now' },
      },
      storage: deps.storage.read(),
      restart_required: pending('port') || pending('baseUrl'),
      previous_base_url: deps.previousBaseUrl !== null && deps.previousBaseUrl !== config.baseUrl ? deps.previousBaseUrl : null,
    };
  }

  return {
    read,

    /** Validated by the route's schema; refuses (422, naming the field) what a flag or variable set. */
    update(patch: SettingsUpdate): SettingsRead {
      const refused = (Object.keys(patch) as (keyof SettingsUpdate)[])
        .filter((key) => patch[key] !== undefined && config.setBy[FIELD[key]])
        .map((key) => ({
          loc: ['body', key],
          msg: `set by ${config.setBy[FIELD[key]]} when the app started; change or remove that to set it here`,
          type: 'set_at_start',
        }));
      if (refused.length > 0) throw unprocessable(refused);
      const next: AppPreferences = { ...preferences() };
      for (const key of Object.keys(FIELD) as (keyof SettingsUpdate)[]) {
        const value = patch[key];
        if (value === null) delete next[key];
        else if (value !== undefined) (next as Record<string, unknown>)[key] = value;
      }
      writeAppPreferences(config.dataDir, next, { baseUrl: config.baseUrl, now: deps.now() });
      // Only after the file is written: a failed write changes nothing.
      if (patch.log_level !== undefined) logger.setLevel(patch.log_level ?? DEFAULT_LOG_LEVEL);
      if (patch.retention_days !== undefined) deps.storage.setRetentionDays(patch.retention_days ?? deps.startConfig.retentionDays);
      return read();
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
