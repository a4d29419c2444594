import { appSettingsFile, readAppSettings, writeAppSettings } from './app-settings.js';
import { claimForApp, removeInstance, writeInstance } from './instance.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveLocalChannel, type LocalChannel } from './local-channel.js';
import type { GatewayManager } from './gateway/manager.js';
import { parseConfig, withListeningPort, withPreferences, type BackendConfig, type BackendConfigInput } from './config.js';
import { openDb, type OpenedDb } from './db/open-db.js';
import type { Diagnostics } from './diagnostics/index.js';
import { createLogger, type Logger } from './logging.js';
import { composeBackend, type BuildOptions, type Fleet, type Services } from './compose.js';
import { generateLocalToken } from './core/tokens.js';

export { loadConfig, ConfigError, defaultDataDir, BACKEND_FLAG_NAMES } from './config.js';
export type { SecretStore } from './secret-store.js';
export { InstanceRunningError, readRunningInstance } from './instance.js';
export type { RunningInstance } from './instance.js';
export type { BackendConfig, BackendConfigInput } from './config.js';

export interface RunningBackend {
  /** Where the API and UI answer, e.g. `http://127.0.0.1:8000`. */
  url: string;
  port: number;
  config: BackendConfig;
  /** The local user's token (for the Electron bridge and the CLI; never logged). */
  localToken: string;
  dataDir: string;
  logger: Logger;
  /** For in-process callers (CLI, tests); HTTP clients use `url`. */
  services: Services;
  /** What the desktop shell sees: agents, gateways and their changes (main/fleet.ts). */
  fleet: Fleet;
  /** The doctor (checks, fixes, support bundle), as the API serves it. */
  diagnostics: Diagnostics;
  /**
   * A one-time login link for a browser (headless use): opening it sets an HttpOnly session cookie.
   * Each call mints a new code; the local token is never part of the URL.
   */
  issueLoginLink(): string;
  /**
   * Stops everything, promptly: loops first, then the gateway connections (requests in flight are
   * rejected with "Mission Control is stopping" — nothing waits on a hung gateway), the HTTP server,
   * and always the database (check-in times written, WAL checkpointed, closed). The phases are in the
   * `app.stopped` log line.
   */
  stop(): Promise<void>;
  /**
   * Writes pending check-in times, checkpoints the WAL and closes the database, at once (idempotent).
   * `stop()` does this itself; the desktop quit calls it when a stop did not finish in time.
   */
  closeDatabase(): void;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use. Stop the other process or choose another port with --port / MC_PORT.`);
  }
}

/** Read the local token from the data dir, creating it (0600) on first run. */
export function ensureLocalToken(dataDir: string, override?: string): string {
  if (override) return override;
  const file = join(dataDir, 'local-auth-token');
  if (existsSync(file)) {
    chmodSync(file, 0o600); // a copied or restored file may have come back world-readable
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 50) return token;
  }
  const token = generateLocalToken();
  writeLocalToken(file, token);
  return token;
}

function writeLocalToken(file: string, token: string): void {
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The one door to the backend for Electron main, the headless CLI and tests: open the database,
 * build the services and the HTTP app, listen, and return a handle that stops it all cleanly.
 */
export { sqliteNativeBinding } from './db/native-binding.js';

export interface StartOptions extends BuildOptions {
  /**
   * false: keep no local token file at rest — a new token each start, handed to the CLI over the
   * data dir's 0600 unix socket instead (backend/local-channel.ts). The desktop app with an OS
   * keychain on macOS/Linux; default true (headless: scripts read the file).
   */
  localTokenFile?: boolean;
  /** better-sqlite3's native build to load (the Electron-ABI copy under Electron; default: the package's). */
  sqliteNativeBinding?: string | undefined;
}

export { buildServices } from './compose.js';
export type { Fleet, Services } from './compose.js';

export async function startBackend(input: BackendConfig | BackendConfigInput, options: StartOptions = {}): Promise<RunningBackend> {
  const given = parseConfig(input);
  mkdirSync(given.dataDir, { recursive: true, mode: 0o700 });
  // What the Settings page saved applies where no flag, variable or caller set the same thing.
  const savedSettings = readAppSettings(given.dataDir);
  let requested = withPreferences(given, savedSettings?.preferences);
  // The data dir is ours (exclusively) before the database is opened: a CLI command working on it
  // directly, or a second app, is refused here, and neither can claim it while this one starts.
  claimForApp(requested.dataDir, options.now?.() ?? new Date());
  let logger: Logger | undefined;
  let opened: OpenedDb | undefined;
  let server: Server | undefined;
  let gatewayManager: GatewayManager | undefined;
  let channel: LocalChannel | null = null;
  try {
    logger = createLogger({
      level: requested.logLevel,
      logDir: join(requested.dataDir, 'logs'),
      stdout: requested.logToStdout,
      rotation: { maxBytes: requested.logMaxMb * 1024 * 1024, keep: requested.logFiles },
    });
    const log = logger.child('backend');
    // The config is resolved fully before anything is built: defaults and flags (parseConfig), saved
    // preferences (above), then the port — listened on first, since with port 0 the base URL agents are
    // told depends on the real port, and a saved port that can't be bound falls back to the default.
    try {
      server = await listen(requested.host, requested.port);
    } catch (err) {
      // A port saved on the Settings page that can't be bound (taken since, or not allowed) must not
      // keep the app from starting — in the desktop app nobody passes --port to get out of it. Start
      // on the port the app would use without it, and say so (the page still shows the saved value).
      const fallback = withPreferences(given, { ...savedSettings?.preferences, port: undefined });
      if (fallback.port === requested.port) throw err;
      logger.warn('app.saved_port_unavailable', 'the port saved in settings could not be used; started on the default instead', {
        saved_port: requested.port,
        port: fallback.port,
        settings_file: appSettingsFile(requested.dataDir),
        error: (err as Error).message,
      });
      server = await listen(fallback.host, fallback.port);
      requested = fallback;
    }
    const tokenFile = join(requested.dataDir, 'local-auth-token');
    let localToken: string;
    if (options.localTokenFile === false) {
      localToken = requested.localAuthToken ?? generateLocalToken();
      channel = await serveLocalChannel(requested.dataDir, localToken, logger);
      // Without the channel the CLI could not reach the app: fall back to the file, as headless.
      if (channel) rmSync(tokenFile, { force: true });
      else writeLocalToken(tokenFile, localToken);
    } else {
      localToken = ensureLocalToken(requested.dataDir, requested.localAuthToken);
    }
    opened = openDb(join(requested.dataDir, 'mission-control.db'), { nativeBinding: options.sqliteNativeBinding });
    log.info('db.opened', 'database opened, migrations applied', {
      file: join(requested.dataDir, 'mission-control.db'),
      migrations: (opened.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n,
    });
    const port = (server.address() as AddressInfo).port;
    const config = withListeningPort(requested, port);
    const hostForUrl =
      config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${hostForUrl}:${port}`;
    const backend = composeBackend({
      config,
      startConfig: given,
      savedSettings,
      opened,
      logger,
      localToken,
      url,
      server,
      localChannel: channel,
      options,
    });
    gatewayManager = backend.gatewayManager;
    server.on('request', backend.app);
    writeAppSettings(config.dataDir, config.baseUrl, backend.ctx.now());
    writeInstance(config.dataDir, url, backend.ctx.now());
    log.info('app.started', 'Mission Control backend listening', { url, data_dir: config.dataDir });
    backend.start();

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      config,
      localToken,
      dataDir: config.dataDir,
      logger,
      services: backend.services,
      fleet: backend.fleet,
      diagnostics: backend.diagnostics,
      issueLoginLink: () => `${url}/auth/login?code=${backend.issueLoginCode()}`,
      stop: () => (stopping ??= backend.stop()),
      closeDatabase: backend.closeDatabase,
    };
  } catch (err) {
    await channel?.close();
    gatewayManager?.closeAll();
    server?.close();
    opened?.close();
    await logger?.close();
    removeInstance(requested.dataDir);
    throw err;
  }
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err);
    });
  });
}
