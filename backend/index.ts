import { appSettingsFile, readAppSettings, writeAppSettings } from './app-settings.js';
import { claimForApp, removeInstance, writeInstance } from './instance.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { appVersion, resolveAppPath } from './app-paths.js';
import { sealStoredCredentials } from './gateway/credential-vault.js';
import { serveLocalChannel, type LocalChannel } from './local-channel.js';
import { createGatewayManager, type GatewayManager } from './gateway/manager.js';
import { createGatewayStateStore } from './services/gateways.js';
import { createMessageDispatcher } from './lifecycle/message-dispatcher.js';
import { createLoopRegistry } from './lifecycle/guarded-loop.js';
import { parseConfig, withListeningPort, withPreferences, type BackendConfig, type BackendConfigInput } from './config.js';
import { openDb, type OpenedDb } from './db/open-db.js';
import { createApp } from './http/create-app.js';
import { createDiagnostics, type Diagnostics } from './diagnostics/index.js';
import { createUserSessions } from './http/user-sessions.js';
import { hostnameOf } from './http/middleware.js';
import { createLogger, type Logger } from './logging.js';
import { runStopPhases } from './stop-phases.js';
import { policyFromConfig, type ServiceContext } from './services/context.js';
import { createServices, type Services } from './services/index.js';
import { createSettingsService } from './services/settings.js';
import { createRetention, RETENTION_INTERVAL_MS } from './retention.js';
import { readStorage } from './storage-report.js';
import { createAppSchedules } from './schedules/index.js';
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
export { sqliteNativeBinding } from './db/native-binding.js';

export interface StartOptions {
  /** The clock for every service (tests drive the lifecycle policy with it). */
  now?: () => Date;
  /** Environment for local-gateway detection (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * false: keep no local token file at rest — a new token each start, handed to the CLI over the
   * data dir's 0600 unix socket instead (backend/local-channel.ts). The desktop app with an OS
   * keychain on macOS/Linux; default true (headless: scripts read the file).
   */
  localTokenFile?: boolean;
  /**
   * How secrets are sealed at rest: the device key, gateway tokens and device tokens (the desktop app
   * passes the OS keychain; default: plain, in 0600 files and the 0600 database).
   */
  secretStore?: SecretStore;
  /** better-sqlite3's native build to load (the Electron-ABI copy under Electron; default: the package's). */
  sqliteNativeBinding?: string | undefined;
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
    loops: createLoopRegistry({ logger, ...(options.now && { now: options.now }) }),
  };
  const gatewayManager = createGatewayManager({
    identityFile: join(config.dataDir, 'gateway-device.json'),
    ...(options.secretStore && { secretStore: options.secretStore }),
    logger,
    clientVersion: appVersion(),
    minVersion: config.gatewayMinVersion,
    store: createGatewayStateStore(ctx),
  });
  // Rows written before sealing (or by a headless run) are sealed before anything reads them.
  sealStoredCredentials(opened, gatewayManager.credentials, logger);
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
  let channel: LocalChannel | null = null;
  try {
    logger = createLogger({
      level: requested.logLevel,
      logDir: join(requested.dataDir, 'logs'),
      stdout: requested.logToStdout,
      rotation: { maxBytes: requested.logMaxMb * 1024 * 1024, keep: requested.logFiles },
    });
    const log = logger.child('backend');
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
    // Retention of the growing tables: at start, then hourly; the Settings page changes the horizon at once.
    let retentionDays = config.retentionDays;
    const retention = createRetention({ sqlite: opened.sqlite, now: ctx.now, logger, days: () => retentionDays });
    let nextRetentionAt: Date | null = null;
    const runRetention = () => {
      retention.run();
      nextRetentionAt = new Date(ctx.now().getTime() + RETENTION_INTERVAL_MS);
    };
    const sqlite = opened.sqlite;
    const storage = () =>
      readStorage({
        dataDir: config.dataDir,
        logMaxMb: config.logMaxMb,
        logFiles: config.logFiles,
        retentionDays,
        sqlite,
        lastRun: retention.lastRun(),
        nextRunAt: nextRetentionAt,
      });
    const diagnostics = createDiagnostics({
      storage,
      services,
      manager: gatewayManager,
      logger,
      config,
      url,
      templateSync: services.templateSync,
    });
    const sessions = createUserSessions({ now: ctx.now });
    const schedules = createAppSchedules({ ...config, sqlite, now: ctx.now, logger, runRetention: retention.run, check: diagnostics.check });
    const app = createApp({
      diagnostics,
      services,
      sessions,
      schedules,
      settings: createSettingsService({
        config,
        startConfig: given,
        logger,
        version: appVersion(),
        previousBaseUrl: savedSettings?.base_url ?? null,
        now: ctx.now,
        storage: {
          read: storage,
          setRetentionDays: (days) => {
            retentionDays = days;
            runRetention();
          },
        },
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

    // Retention at start, then hourly; the refusal log's summary of each window is written even when no
    // refusal follows it. Both are guarded loops: a full disk is a doctor finding, not a crash.
    try {
      runRetention();
    } catch (err) {
      ctx.loops.failed('retention', err, { at: 'start' });
    }
    const retentionLoop = ctx.loops.every('retention', runRetention, { intervalMs: RETENTION_INTERVAL_MS });
    retentionLoop.start();
    const refusalLoop = ctx.loops.every('refusal log summary', () => services.refusals.flush(), { intervalMs: 60_000 });
    refusalLoop.start();

    services.gateways.connectAll();
    const dispatcher = createMessageDispatcher({ ctx, manager: gatewayManager });
    dispatcher.start();
    services.supervisor.start();
    services.agentFeed.start();
    services.gatewayFeed.start();
    schedules.start();

    const db = opened;
    const httpServer = server;
    const manager = gatewayManager;
    const appLogger = logger;
    const localChannel = channel;
    const closeDatabase = (): void => {
      if (!db.sqlite.open) return;
      try {
        services.agents.presence.flushAll(); // write-behind check-in times (docs/architecture.md, "Presence")
      } catch (err) {
        ctx.loops.failed('presence flush', err, { at: 'stop' });
      }
      try {
        db.sqlite.pragma('wal_checkpoint(TRUNCATE)'); // the next open needs no recovery, the -wal file is empty
      } finally {
        db.close();
      }
    };
    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      let supervisorStopped: Promise<void> = Promise.resolve();
      let dispatcherStopped: Promise<void> = Promise.resolve();
      let schedulesStopped: Promise<void> = Promise.resolve();
      let aborted = 0;
      const phases = await runStopPhases([
        {
          // No new pass of any loop from here on (their work in flight is awaited below).
          name: 'loops',
          run: () => {
            void retentionLoop.stop();
            void refusalLoop.stop();
            services.agentFeed.stop();
            services.gatewayFeed.stop();
            supervisorStopped = services.supervisor.stop();
            dispatcherStopped = dispatcher.stop();
            schedulesStopped = schedules.stop(); // no timer fires from here; a backup in flight ends before the database closes
          },
        },
        // Requests in flight fail now with "stopping" instead of waiting for a hung gateway's timeout.
        { name: 'gateways', run: () => (aborted = manager.shutdown()) },
        { name: 'background work', run: () => Promise.allSettled([supervisorStopped, dispatcherStopped, schedulesStopped]), graceMs: 1_500 },
        {
          name: 'http',
          run: () =>
            new Promise<void>((resolve) => {
              httpServer.close(() => resolve());
              httpServer.closeAllConnections();
            }),
          graceMs: 1_000,
        },
        { name: 'local channel', run: () => localChannel?.close(), graceMs: 500 },
        { name: 'database', run: closeDatabase },
        { name: 'instance', run: () => removeInstance(config.dataDir) },
        { name: 'refusal log', run: () => services.refusals.flush() },
      ]);
      log.info('app.stopped', 'Mission Control backend stopped', { phases, gateway_requests_aborted: aborted });
      await appLogger.close();
    };
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
      stop: () => (stopping ??= stop()),
      closeDatabase,
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
