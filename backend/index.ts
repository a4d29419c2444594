import { appSettingsFile, readAppSettings, writeAppSettings } from './app-settings.js';
import { claimForApp, removeInstance, writeInstance } from './instance.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { appVersion, resolveAppPath } from './app-paths.js';
import { createGatewayManager, type GatewayManager } from './gateway/manager.js';
import { createGatewayStateStore } from './services/gateways.js';
import { createMessageDispatcher } from './lifecycle/message-dispatcher.js';
import { parseConfig, withListeningPort, withPreferences, type BackendConfig, type BackendConfigInput } from './config.js';
import { openDb, type OpenedDb } from './db/open-db.js';
import { createApp } from './http/create-app.js';
import { createDiagnostics, type Diagnostics } from './diagnostics/index.js';
import { createUserSessions } from './http/user-sessions.js';
import { hostnameOf } from './http/middleware.js';
import { createLogger, type Logger } from './logging.js';
import { policyFromConfig, type ServiceContext } from './services/context.js';
import { createServices, type Services } from './services/index.js';
import { createSettingsService } from './services/settings.js';
import { generateLocalToken } from './services/tokens.js';
import type { SecretStore } from './secret-store.js';

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
  /** For in-process callers (Electron main, CLI, tests); HTTP clients use `url`. */
  services: Services;
  /** The doctor (checks, fixes, support bundle), as the API serves it. */
  diagnostics: Diagnostics;
  /**
   * A one-time login link for a browser (headless use): opening it sets an HttpOnly session cookie.
   * Each call mints a new code; the local token is never part of the URL.
   */
  issueLoginLink(): string;
  stop(): Promise<void>;
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
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** Names the server is known by: loopback, its bind host, the base URL's host, and configured extras. */
function allowedHostsFor(config: BackendConfig): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '::1', ...config.allowedHosts.map((h) => h.toLowerCase())]);
  if (config.host !== '0.0.0.0' && config.host !== '::') hosts.add(config.host.toLowerCase());
  const baseHost = hostnameOf(new URL(config.baseUrl).host);
  if (baseHost) hosts.add(baseHost);
  return hosts;
}

/**
 * The one door to the backend for Electron main, the headless CLI and tests: open the database,
 * build the services and the HTTP app, listen, and return a handle that stops it all cleanly.
 */
export interface StartOptions {
  /** The clock for every service (tests drive the lifecycle policy with it). */
  now?: () => Date;
  /** Environment for local-gateway detection (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** How secrets are sealed at rest (the desktop app passes the OS keychain; default: 0600 files). */
  secretStore?: SecretStore;
}

/**
 * The services over an opened database, without HTTP or background loops: what `startBackend` runs,
 * and what the CLI uses on the data dir when the app is not running.
 */
export function buildServices(config: BackendConfig, opened: OpenedDb, logger: Logger, options: StartOptions = {}) {
  const ctx: ServiceContext = {
    db: opened.db,
    sqlite: opened.sqlite,
    now: options.now ?? (() => new Date()),
    logger,
    policy: policyFromConfig(config),
  };
  const gatewayManager = createGatewayManager({
    identityFile: join(config.dataDir, 'gateway-device.json'),
    ...(options.secretStore && { secretStore: options.secretStore }),
    logger,
    clientVersion: appVersion(),
    minVersion: config.gatewayMinVersion,
    store: createGatewayStateStore(ctx),
  });
  const services = createServices(ctx, { baseUrl: config.baseUrl, gatewayManager, env: options.env ?? process.env });
  return { ctx, gatewayManager, services };
}

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
  try {
    logger = createLogger({ level: requested.logLevel, logDir: join(requested.dataDir, 'logs'), stdout: requested.logToStdout });
    const log = logger.child('backend');
    const localToken = ensureLocalToken(requested.dataDir, requested.localAuthToken);
    opened = openDb(join(requested.dataDir, 'mission-control.db'));
    log.info('db.opened', 'database opened, migrations applied', {
      file: join(requested.dataDir, 'mission-control.db'),
      migrations: (opened.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n,
    });
    // Listen before building the app: with port 0 the base URL agents are told depends on the real port.
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
    const port = (server.address() as AddressInfo).port;
    const config = withListeningPort(requested, port);
    const built = buildServices(config, opened, logger, options);
    const { ctx, services } = built;
    gatewayManager = built.gatewayManager;
    const hostForUrl =
      config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${hostForUrl}:${port}`;
    const diagnostics = createDiagnostics({
      services,
      manager: gatewayManager,
      logger,
      config,
      url,
      templateSync: services.templateSync,
    });
    const sessions = createUserSessions();
    const app = createApp({
      diagnostics,
      services,
      sessions,
      settings: createSettingsService({
        config,
        startConfig: given,
        logger,
        version: appVersion(),
        previousBaseUrl: savedSettings?.base_url ?? null,
        now: ctx.now,
      }),
      logger,
      localToken,
      allowedHosts: allowedHostsFor(config),
      maxBodyBytes: config.maxBodyBytes,
      validateResponses: config.validateResponses,
      uiDir: resolveAppPath('dist', 'renderer'),
      baseUrl: config.baseUrl,
    });
    server.on('request', app);
    writeAppSettings(config.dataDir, config.baseUrl, ctx.now());
    writeInstance(config.dataDir, url, ctx.now());
    log.info('app.started', 'Mission Control backend listening', { url, data_dir: config.dataDir });

    const FAILURE_RETENTION_MS = 7 * 24 * 3_600_000;
    const prune = () => services.agentAuth.pruneFailures(new Date(ctx.now().getTime() - FAILURE_RETENTION_MS));
    prune();
    const pruneTimer = setInterval(prune, 3_600_000);
    pruneTimer.unref();

    services.gateways.connectAll();
    const dispatcher = createMessageDispatcher({ ctx, manager: gatewayManager });
    dispatcher.start();
    services.supervisor.start();
    services.agentFeed.start();
    services.gatewayFeed.start();

    const db = opened;
    const httpServer = server;
    const manager = gatewayManager;
    const appLogger = logger;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      config,
      localToken,
      dataDir: config.dataDir,
      logger: appLogger,
      services,
      diagnostics,
      issueLoginLink: () => `${url}/auth/login?code=${sessions.issueLoginCode()}`,
      stop: () =>
        (stopping ??= (async () => {
          clearInterval(pruneTimer);
          await services.supervisor.stop();
          services.agentFeed.stop();
          services.gatewayFeed.stop();
          await dispatcher.stop();
          manager.closeAll();
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeAllConnections();
          });
          services.agents.presence.flushAll(); // write-behind check-in times (docs/architecture.md, "Presence")
          db.close();
          removeInstance(config.dataDir);
          log.info('app.stopped', 'Mission Control backend stopped');
          await appLogger.close();
        })()),
    };
  } catch (err) {
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
