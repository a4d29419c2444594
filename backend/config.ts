import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
    logLevel: z.enum(LOG_LEVELS).default('info'),
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
  })
  .transform((c) => ({ ...c, baseUrl: c.baseUrl ?? `http://localhost:${c.port}` }));

/**
 * With `port: 0` the real port is known only after listening; the default base URL then follows it.
 * An explicit base URL is never changed.
 */
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
  const input = {
    dataDir: pick(values['data-dir'], 'MC_DATA_DIR') ?? defaultDataDir(env),
    port: pick(values.port, 'MC_PORT'),
    host: pick(values.host, 'MC_HOST'),
    baseUrl: pick(values['base-url'], 'MC_BASE_URL'),
    checkinDeadlineSeconds: pick(values['checkin-deadline-seconds'], 'MC_CHECKIN_DEADLINE_SECONDS'),
    maxWakeAttempts: pick(values['max-wake-attempts'], 'MC_MAX_WAKE_ATTEMPTS'),
    offlineAfterSeconds: pick(values['offline-after-seconds'], 'MC_OFFLINE_AFTER_SECONDS'),
    logLevel: pick(values['log-level'], 'MC_LOG_LEVEL'),
    localAuthToken: env.MC_LOCAL_AUTH_TOKEN === '' ? undefined : env.MC_LOCAL_AUTH_TOKEN,
    gatewayMinVersion: pick(values['gateway-min-version'], 'MC_GATEWAY_MIN_VERSION'),
    allowedHosts:
      values['allowed-host'] ??
      (env.MC_ALLOWED_HOSTS
        ? env.MC_ALLOWED_HOSTS.split(',')
            .map((h) => h.trim())
            .filter(Boolean)
        : []),
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
  localAuthToken: 'MC_LOCAL_AUTH_TOKEN',
  allowedHosts: '--allowed-host / MC_ALLOWED_HOSTS',
  gatewayMinVersion: '--gateway-min-version / MC_GATEWAY_MIN_VERSION',
};

export function parseConfig(input: BackendConfigInput | Record<string, unknown>): BackendConfig {
  const parsed = BackendConfig.safeParse(input);
  if (parsed.success) return parsed.data;
  // Never echo the value: it may be the local auth token.
  const lines = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return `${SOURCE_NAMES[key] ?? key}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}
