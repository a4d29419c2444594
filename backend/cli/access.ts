import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { readAppSettings } from '../app-settings.js';
import { loadConfig } from '../config.js';
import { ApiError, createRouteClient } from '../contract/client.js';
import type { GatewayRead } from '../contract/gateways.js';
import type { TemplateSyncQuery, TemplateSyncResult } from '../contract/templates.js';
import { openDb } from '../db/open-db.js';
import { AppError } from '../errors.js';
import { buildServices } from '../compose.js';
import { claimInstance, InstanceRunningError, readRunningInstance } from '../instance.js';
import { askLocalToken, controlSocketPath } from '../local-channel.js';
import { createLogger } from '../logging.js';

/*
 * How a CLI command reaches Mission Control's data: through the running app's API when one serves
 * the data dir (instance.json names it; the local token comes from MC_LOCAL_AUTH_TOKEN, the app's
 * 0600 socket in the data dir, or the 0600 token file — see localTokenOfRunningApp), otherwise directly on
 * the data dir — holding the same instance claim for the duration, so an app starting meanwhile is
 * refused instead of running its wake ladder against the same rows. SQLite's busy_timeout covers
 * readers (a backup, the UI's dev tools), and every agent's change is its own transaction.
 */

/** A failure to report in one line (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
}

/** Bad flags or arguments (exit 2, with the usage). */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The usage text of the command that was misused (the general one when absent). */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** Strict flag parsing: an unknown flag or a missing value is a UsageError. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, usage?: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

/** Runs `run` and always closes the backend (releasing the data-dir claim in direct mode). */
export async function withBackend<T>(backend: CliBackend, run: (b: CliBackend) => Promise<T>): Promise<T> {
  try {
    return await run(backend);
  } finally {
    await backend.close();
  }
}

export interface CliBackend {
  mode: 'api' | 'direct';
  /** "the running app at http://…" / "the data dir /…" */
  where: string;
  /** What agents are told to call (direct mode renders it into AGENTS.md). */
  baseUrl: string | null;
  listGateways(): Promise<GatewayRead[]>;
  syncTemplates(gatewayId: string, query: TemplateSyncQuery): Promise<TemplateSyncResult>;
  close(): Promise<void>;
}

/** Flags every data-dir command takes (as for `serve`; env fallbacks MC_DATA_DIR, MC_BASE_URL, MC_PORT). */
export const ACCESS_FLAGS = {
  'data-dir': { type: 'string' },
  'base-url': { type: 'string' },
  port: { type: 'string' },
} as const;

export interface AccessFlags {
  'data-dir'?: string | undefined;
  'base-url'?: string | undefined;
  port?: string | undefined;
}

const configArgs = (flags: AccessFlags): string[] =>
  (['data-dir', 'base-url', 'port'] as const).flatMap((name) => (flags[name] === undefined ? [] : [`--${name}`, flags[name]]));

/** An error answer of the API as one line (a string detail, a message with its next step, or the first validation issue). */
export function errorLine(err: { status: number; detail: unknown }): string {
  const { status, detail } = err;
  if (typeof detail === 'string') return `${status}: ${detail}`;
  if (Array.isArray(detail)) {
    const first = detail[0] as { loc?: unknown[]; msg?: string } | undefined;
    return `${status}: ${first?.loc?.join('.') ?? ''} ${first?.msg ?? ''}`.trim();
  }
  if (detail && typeof detail === 'object') {
    const d = detail as { message?: string; next_step?: string };
    return `${status}: ${d.message ?? JSON.stringify(d)}${d.next_step ? ` — ${d.next_step}` : ''}`;
  }
  return `HTTP ${status}`;
}

/**
 * The running app's local token: MC_LOCAL_AUTH_TOKEN if set; else asked of the app over its 0600 unix
 * socket in the data dir (the desktop app with an OS keychain keeps no token file; backend/local-channel.ts);
 * else the 0600 `local-auth-token` file (headless, and the desktop app without a keychain or on Windows).
 */
export async function localTokenOfRunningApp(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.MC_LOCAL_AUTH_TOKEN) return env.MC_LOCAL_AUTH_TOKEN;
  const fromApp = await askLocalToken(dataDir);
  if (fromApp) return fromApp;
  const tokenFile = join(dataDir, 'local-auth-token');
  const fromFile = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  if (fromFile) return fromFile;
  throw new CliError(
    `The app is running but gave no local token: ${controlSocketPath(dataDir)} did not answer and ${tokenFile} is missing. ` +
      'Run the command as the user running the app, or set MC_LOCAL_AUTH_TOKEN.',
  );
}

function apiBackend(url: string, tokenOf: () => Promise<string>): CliBackend {
  let token: string | undefined;
  const client = createRouteClient({ baseUrl: url.replace(/\/+$/, ''), getToken: () => token ?? null });
  /** One call of the running app's API; its errors as one line. */
  async function call<T>(request: () => Promise<T>): Promise<T> {
    token ??= await tokenOf();
    try {
      return await request();
    } catch (err) {
      if (err instanceof ApiError) throw new CliError(errorLine(err));
      if (err instanceof CliError) throw err;
      throw new CliError(`The running app at ${url} did not answer: ${(err as Error).message}`);
    }
  }
  return {
    mode: 'api',
    where: `the running app at ${url}`,
    baseUrl: null,
    listGateways: async () => (await call(() => client('listGateways', { query: { limit: 200 } }))).items,
    syncTemplates(gatewayId, query) {
      // The query string carries the flags as the API reads them (`true`/`false`).
      const asText = Object.fromEntries(
        Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
      );
      return call(() =>
        client('syncGatewayTemplates', { params: { gateway_id: gatewayId }, query: asText as z.input<typeof TemplateSyncQuery> }),
      );
    },
    close: async () => undefined,
  };
}

/**
 * The base URL to render into agents' files: the one the app last told them (app-settings.json),
 * unless an explicit --base-url / MC_BASE_URL is given. An explicit one that differs is refused
 * without `force`: agents would be told to call an address the app does not answer on.
 */
function directConfig(flags: AccessFlags, force: boolean) {
  const config = loadConfig(configArgs(flags));
  const saved = readAppSettings(config.dataDir);
  const explicit = flags['base-url'] !== undefined || Boolean(process.env.MC_BASE_URL);
  if (!saved) return config;
  if (!explicit) return { ...config, baseUrl: saved.base_url };
  if (config.baseUrl !== saved.base_url && !force)
    throw new CliError(
      `--base-url ${config.baseUrl} differs from ${saved.base_url}, the URL the app last told its agents. ` +
        `Leave out --base-url (the app's is used), or add --force if the app will run with ${config.baseUrl} from now on.`,
    );
  return config;
}

function directBackend(flags: AccessFlags, purpose: string, force: boolean): CliBackend {
  const config = directConfig(flags, force);
  const dbFile = join(config.dataDir, 'mission-control.db');
  if (!existsSync(dbFile)) throw new CliError(`No Mission Control data in ${config.dataDir} (no mission-control.db). Check --data-dir.`);
  let release: () => void;
  try {
    release = claimInstance(config.dataDir, purpose);
  } catch (err) {
    if (err instanceof InstanceRunningError) throw new CliError(err.message);
    throw err;
  }
  let opened: ReturnType<typeof openDb> | undefined;
  try {
    opened = openDb(dbFile);
    // Warnings only, to the app's log file: the command's own output is the report.
    const logger = createLogger({ level: 'warn', logDir: join(config.dataDir, 'logs'), stdout: false });
    const { services, gatewayManager } = buildServices(config, opened, logger);
    const db = opened;
    const toCli = (err: unknown): never => {
      if (err instanceof AppError) throw new CliError(errorLine(err));
      throw err;
    };
    return {
      mode: 'direct',
      where: `the data dir ${config.dataDir} (the app is not running; agents are told ${config.baseUrl})`,
      baseUrl: config.baseUrl,
      listGateways: () => Promise.resolve(services.gateways.list({ limit: 200, offset: 0 }).items),
      syncTemplates: (gatewayId, query) => services.templateSync.sync(gatewayId, query).catch(toCli),
      async close() {
        gatewayManager.closeAll();
        db.close();
        await logger.close();
        release();
      },
    };
  } catch (err) {
    opened?.close();
    release();
    throw err;
  }
}

/**
 * The running app's API when there is one, else the data dir itself (claimed for `purpose`; `force`
 * accepts a --base-url that differs from the app's last one).
 */
export function openCliBackend(flags: AccessFlags, purpose: string, options: { force?: boolean } = {}): CliBackend {
  const dataDir = loadConfig(configArgs(flags)).dataDir;
  const running = readRunningInstance(dataDir);
  if (running?.url) return apiBackend(running.url, () => localTokenOfRunningApp(dataDir));
  return directBackend(flags, purpose, options.force ?? false);
}
