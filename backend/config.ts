import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_LOG_LEVEL = 'info';

/** The per-OS application data folder (what Electron's `app.getPath('userData')` would give). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'OpenClaw Mission Control');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'OpenClaw Mission Control');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'openclaw-mission-control');
}

const PLACEHOLDER_TOKENS = ['change-me', 'changeme', 'replace-me', 'replace-with-strong-random-token'];

const LocalAuthToken = z
  .string()
  .min(50, { message: 'must be at least 50 characters' })
  .refine((t) => !PLACEHOLDER_TOKENS.includes(t.toLowerCase()), { message: 'must not be a placeholder' });

const Port = z.coerce.number().int().min(0).max(65_535);

/** The settings the Settings page can change (saved in app-settings.json); a flag or variable wins over them. */
export const UI_SETTINGS = ['port', 'baseUrl', 'logLevel', 'retentionDays'] as const;
export type UiSetting = (typeof UI_SETTINGS)[number];

export const BackendConfig = z
  .object({
    dataDir: z.string().min(1),
    port: Port.default(8000),
    host: z.string().min(1).default('127.0.0.1'),
    /** The URL agents use to reach this API; rendered into their instructions. */
    baseUrl: z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    checkinDeadlineSeconds: z.coerce.number().positive().max(3600).default(30),
    maxWakeAttempts: z.coerce.number().int().min(1).max(100).default(3),
    /** Reads call an agent offline after this much silence at least (or 1.5 × its heartbeat interval). */
    offlineAfterSeconds: z.coerce
      .number()
      .positive()
      .max(7 * 86_400)
      .default(600),
    logLevel: z.enum(LOG_LEVELS).default(DEFAULT_LOG_LEVEL),
    /** The log file is rotated before it grows past this many MiB … */
    logMaxMb: z.coerce.number().int().min(1).max(1024).default(10),
    /** … and this many rotated files are kept besides it. */
    logFiles: z.coerce.number().int().min(1).max(50).default(5),
    /** Days of history the growing tables keep (retention.ts says what is never deleted). */
    retentionDays: z.coerce.number().int().min(1).max(3650).default(30),
    /** Overrides the generated token in `<dataDir>/local-auth-token`. */
    localAuthToken: LocalAuthToken.optional(),
    /** Extra Host-header names accepted besides loopback and the base URL's host. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Also log to stdout (the file log in the data dir is always on). */
    logToStdout: z.boolean().default(true),
    /** Validate every response against the contract (on in tests, to catch drift). */
    validateResponses: z.boolean().default(false),
    /** Largest accepted JSON body. */
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    /** Oldest OpenClaw gateway accepted (CalVer). */
    gatewayMinVersion: z
      .string()
      .regex(/^v?\d{4}\.\d{1,2}\.\d{1,2}(-\d+)?$/, { message: 'must be a CalVer version like 2026.9.1' })
      .default('2026.9.1'),
    /**
     * Which of the UI-editable settings were given at start, and by what (`--port`, `MC_PORT`, or
     * `the start options` for a program calling startBackend). These win over saved preferences.
     */
    setBy: z.partialRecord(z.enum(UI_SETTINGS), z.string()).default({}),
  })
  .transform((c) => ({ ...c, baseUrl: c.baseUrl ?? `http://localhost:${c.port}` }));

/**
 * With `port: 0` the real port is known only after listening; the default base URL then follows it.
 * An explicit base URL is never changed.
 */
/**
 * Saved preferences (the Settings page) for what no flag, variable or caller set. A saved port moves
 * a defaulted base URL with it, as `--port` does.
 */
export function withPreferences(
  config: BackendConfig,
  saved:
    | { port?: number | undefined; base_url?: string | undefined; log_level?: string | undefined; retention_days?: number | undefined }
    | undefined,
): BackendConfig {
  if (!saved) return config;
  let next = config;
  if (saved.port !== undefined && !config.setBy.port) {
    const defaulted = !config.setBy.baseUrl && next.baseUrl === `http://localhost:${next.port}`;
    next = { ...next, port: saved.port, baseUrl: defaulted ? `http://localhost:${saved.port}` : next.baseUrl };
  }
  if (saved.base_url !== undefined && !config.setBy.baseUrl) next = { ...next, baseUrl: saved.base_url };
  if (saved.log_level !== undefined && !config.setBy.logLevel) next = { ...next, logLevel: saved.log_level as BackendConfig['logLevel'] };
  if (saved.retention_days !== undefined && !config.setBy.retentionDays) next = { ...next, retentionDays: saved.retention_days };
  return next;
}

export function withListeningPort(config: BackendConfig, port: number): BackendConfig {
  const defaulted = config.baseUrl === `http://localhost:${config.port}`;
  return { ...config, port, baseUrl: defaulted ? `http://localhost:${port}` : config.baseUrl };
}

export type BackendConfigInput = z.input<typeof BackendConfig>;
export type BackendConfig = z.output<typeof BackendConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const FLAG_OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'base-url': { type: 'string' },
  'checkin-deadline-seconds': { type: 'string' },
  'max-wake-attempts': { type: 'string' },
  'offline-after-seconds': { type: 'string' },
  'log-level': { type: 'string' },
  'log-max-mb': { type: 'string' },
  'log-files': { type: 'string' },
  'retention-days': { type: 'string' },
  'allowed-host': { type: 'string', multiple: true },
  'gateway-min-version': { type: 'string' },
} as const;

/** The flags `loadConfig` knows (the desktop shell passes only these on, not Chromium's switches). */
export const BACKEND_FLAG_NAMES = Object.keys(FLAG_OPTIONS) as readonly (keyof typeof FLAG_OPTIONS)[];

/**
 * Config from command-line flags, environment and defaults — flags win over env.
 * Unknown flags and invalid values are a ConfigError naming the flag/variable.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BackendConfig {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAG_OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: FLAG_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const pick = (flag: string | undefined, envName: string) => flag ?? (env[envName] === '' ? undefined : env[envName]);
  const setBy: Partial<Record<UiSetting, string>> = {};
  const source = (key: UiSetting, flagName: string, flag: string | undefined, envName: string) => {
    if (flag !== undefined) setBy[key] = `--${flagName}`;
    else if (env[envName]) setBy[key] = envName;
  };
  source('port', 'port', values.port, 'MC_PORT');
  source('baseUrl', 'base-url', values['base-url'], 'MC_BASE_URL');
  source('logLevel', 'log-level', values['log-level'], 'MC_LOG_LEVEL');
  source('retentionDays', 'retention-days', values['retention-days'], 'MC_RETENTION_DAYS');
  const input = {
    dataDir: pick(values['data-dir'], 'MC_DATA_DIR') ?? defaultDataDir(env),
    port: pick(values.port, 'MC_PORT'),
    host: pick(values.host, 'MC_HOST'),
    baseUrl: pick(values['base-url'], 'MC_BASE_URL'),
    checkinDeadlineSeconds: pick(values['checkin-deadline-seconds'], 'MC_CHECKIN_DEADLINE_SECONDS'),
    maxWakeAttempts: pick(values['max-wake-attempts'], 'MC_MAX_WAKE_ATTEMPTS'),
    offlineAfterSeconds: pick(values['offline-after-seconds'], 'MC_OFFLINE_AFTER_SECONDS'),
    logLevel: pick(values['log-level'], 'MC_LOG_LEVEL'),
    logMaxMb: pick(values['log-max-mb'], 'MC_LOG_MAX_MB'),
    logFiles: pick(values['log-files'], 'MC_LOG_FILES'),
    retentionDays: pick(values['retention-days'], 'MC_RETENTION_DAYS'),
    localAuthToken: env.MC_LOCAL_AUTH_TOKEN === '' ? undefined : env.MC_LOCAL_AUTH_TOKEN,
    gatewayMinVersion: pick(values['gateway-min-version'], 'MC_GATEWAY_MIN_VERSION'),
    allowedHosts:
      values['allowed-host'] ??
      (env.MC_ALLOWED_HOSTS
        ? env.MC_ALLOWED_HOSTS.split(',')
            .map((h) => h.trim())
            .filter(Boolean)
        : []),
    setBy,
  };
  return parseConfig(input);
}

const SOURCE_NAMES: Record<string, string> = {
  dataDir: '--data-dir / MC_DATA_DIR',
  port: '--port / MC_PORT',
  host: '--host / MC_HOST',
  baseUrl: '--base-url / MC_BASE_URL',
  checkinDeadlineSeconds: '--checkin-deadline-seconds / MC_CHECKIN_DEADLINE_SECONDS',
  maxWakeAttempts: '--max-wake-attempts / MC_MAX_WAKE_ATTEMPTS',
  offlineAfterSeconds: '--offline-after-seconds / MC_OFFLINE_AFTER_SECONDS',
  logLevel: '--log-level / MC_LOG_LEVEL',
  logMaxMb: '--log-max-mb / MC_LOG_MAX_MB',
  logFiles: '--log-files / MC_LOG_FILES',
  retentionDays: '--retention-days / MC_RETENTION_DAYS',
  localAuthToken: 'MC_LOCAL_AUTH_TOKEN',
  allowedHosts: '--allowed-host / MC_ALLOWED_HOSTS',
  gatewayMinVersion: '--gateway-min-version / MC_GATEWAY_MIN_VERSION',
};

export function parseConfig(input: BackendConfigInput | Record<string, unknown>): BackendConfig {
  const raw = input as Record<string, unknown>;
  // Called with a plain object (tests, benchmarks): what it sets counts as set at start.
  const setBy = raw.setBy ?? Object.fromEntries(UI_SETTINGS.filter((k) => raw[k] !== undefined).map((k) => [k, 'the start options']));
  const parsed = BackendConfig.safeParse({ ...raw, setBy });
  if (parsed.success) return parsed.data;
  // Never echo the value: it may be the local auth token.
  const lines = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return `${SOURCE_NAMES[key] ?? key}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}
