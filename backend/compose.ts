import { join } from 'node:path';
import type { Server } from 'node:http';
import { appVersion, resolveAppPath } from './app-paths.js';
import type { AppSettings } from './app-settings.js';
import type { BackendConfig } from './config.js';
import type { AgentRead } from './contract/agents.js';
import type { GatewayRead } from './contract/gateways.js';
import { policyFromConfig, type ServiceContext } from './core/context.js';
import { createLoopRegistry } from './core/guarded-loop.js';
import type { OpenedDb } from './db/open-db.js';
import { createDiagnostics } from './diagnostics/index.js';
import { sealStoredCredentials } from './gateway/credential-vault.js';
import { createGatewayManager } from './gateway/manager.js';
import { createApp } from './http/create-app.js';
import { hostnameOf } from './http/middleware.js';
import { createUserSessions } from './http/user-sessions.js';
import { removeInstance } from './instance.js';
import { createDriftMemory } from './lifecycle/drift-memory.js';
import { createAgentSoul } from './lifecycle/agent-soul.js';
import { createMessageDispatcher } from './lifecycle/message-dispatcher.js';
import { createProvisioner } from './lifecycle/provisioner.js';
import { createWakeLadder } from './lifecycle/wake-ladder-runner.js';
import { createSyncProgressFeed } from './lifecycle/sync-progress.js';
import { createTeardown } from './lifecycle/teardown.js';
import { createTemplateSync } from './lifecycle/template-sync.js';
import type { LocalChannel } from './local-channel.js';
import type { Logger } from './logging.js';
import { createRetention, RETENTION_INTERVAL_MS } from './retention.js';
import type { SecretStore } from './secret-store.js';
import { createGatewayStateStore } from './services/gateways.js';
import { createServices, type ServiceOptions } from './services/index.js';
import { createSettingsService } from './services/settings.js';
import { runStopPhases } from './stop-phases.js';
import { createAppSchedules } from './schedules/index.js';
import { readStorage } from './storage-report.js';
import { REDACTED } from './templates/render.js';

/*
 * The composition root: the only place that constructs the services, the lifecycle (the wake ladder's
 * tick, provisioning, teardown, template sync), the diagnostics and the HTTP app, and wires them
 * together. Everything below it takes what it needs as arguments; services/ and lifecycle/ never
 * import each other (eslint.config.js). Config is fully resolved before anything here runs
 * (backend/index.ts: defaults, saved preferences, port fallback).
 */

/** The services and the lifecycle objects over one context: what HTTP, the doctor, main and the CLI use. */
export function composeServices(ctx: ServiceContext, options: ServiceOptions) {
  const services = createServices(ctx, options);
  const { agents, boards, gateways } = services;
  const manager = options.gatewayManager;
  const provisioner = createProvisioner({ ctx, agents, manager, baseUrl: options.baseUrl });
  return {
    ...services,
    provisioner,
    teardown: createTeardown({ ctx, manager, provisioner, agents, boards, gateways }),
    /** The wake ladder's tick and the operator's wake. */
    wakeLadder: createWakeLadder({ ctx, manager, provisioner }),
    templateSync: createTemplateSync({ ctx, agents, provisioner, manager, progress: createSyncProgressFeed() }),
    /** The latest known template drift per gateway, without reading the gateway (GET /api/v1/template-drift). */
    /** Agents' SOUL.md through the web edition's soul routes (#16). */
    agentSoul: createAgentSoul({ ctx, manager, targetOf: (id) => gateways.targetOf(gateways.getRow(id)) }),
    driftMemory: createDriftMemory({ ctx, expectedFiles: (id) => provisioner.renderExpected(id, REDACTED) }),
  };
}

export type Services = ReturnType<typeof composeServices>;

/** What the desktop shell (main/) sees of the backend: the agents, the gateways and their changes, not the service graph. */
export interface Fleet {
  agents(): AgentRead[];
  gateways(): GatewayRead[];
  subscribe(listener: (agent: AgentRead) => void): () => void;
  /** Gateway connection changes (connected, waiting, failed), as they happen. */
  subscribeGateways(listener: (gateway: GatewayRead) => void): () => void;
}

const ALL = { limit: 10_000, offset: 0 };

/** The fleet over the services: reads through them, changes from the same feeds as `/api/v1/events`. */
export const fleetOf = (services: Services): Fleet => ({
  agents: () => services.agents.list(ALL).items,
  gateways: () => services.gateways.list(ALL).items,
  subscribe: (listener) => services.agentFeed.subscribe(listener),
  subscribeGateways: (listener) => services.gatewayFeed.subscribe(listener),
});

export interface BuildOptions {
  /** The clock for every service (tests drive the lifecycle policy with it). */
  now?: () => Date;
  /** Environment for local-gateway detection (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** How secrets are sealed at rest (default: plain, in 0600 files and the 0600 database). */
  secretStore?: SecretStore;
}

/**
 * The services over an opened database, without HTTP or background loops: what `startBackend` runs,
 * and what the CLI uses on the data dir when the app is not running.
 */
export function buildServices(config: BackendConfig, opened: OpenedDb, logger: Logger, options: BuildOptions = {}) {
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
  const services = composeServices(ctx, { baseUrl: config.baseUrl, gatewayManager, env: options.env ?? process.env });
  return { ctx, gatewayManager, services };
}

/** Names the server is known by: loopback, its bind host, the base URL's host, and configured extras. */
function allowedHostsFor(config: BackendConfig): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '::1', ...config.allowedHosts.map((h) => h.toLowerCase())]);
  if (config.host !== '0.0.0.0' && config.host !== '::') hosts.add(config.host.toLowerCase());
  const baseHost = hostnameOf(new URL(config.baseUrl).host);
  if (baseHost) hosts.add(baseHost);
  return hosts;
}

export interface ComposeInput {
  /** Fully resolved: defaults, saved preferences and the port actually listened on. */
  config: BackendConfig;
  /** The config as given (flags, variables, caller), before saved preferences: the Settings page's "at start". */
  startConfig: BackendConfig;
  savedSettings: AppSettings | undefined;
  opened: OpenedDb;
  logger: Logger;
  localToken: string;
  url: string;
  server: Server;
  localChannel: LocalChannel | null;
  options: BuildOptions;
}

/**
 * The whole backend over a resolved config, an opened database and a listening server: the services,
 * the lifecycle, the doctor and the HTTP app; `start()` starts the background work, `stop()` ends
 * everything in phases (see RunningBackend.stop).
 */
export function composeBackend(input: ComposeInput) {
  const { config, opened, logger, url } = input;
  const log = logger.child('backend');
  const { ctx, services, gatewayManager } = buildServices(config, opened, logger, input.options);
  // Retention of the growing tables: at start, then hourly; the Settings page changes the horizon at once.
  let retentionDays = config.retentionDays;
  const retention = createRetention({ sqlite: opened.sqlite, now: ctx.now, logger, days: () => retentionDays });
  let nextRetentionAt: Date | null = null;
  const runRetention = () => {
    retention.run();
    nextRetentionAt = new Date(ctx.now().getTime() + RETENTION_INTERVAL_MS);
  };
  const storage = () =>
    readStorage({
      dataDir: config.dataDir,
      logMaxMb: config.logMaxMb,
      logFiles: config.logFiles,
      retentionDays,
      sqlite: opened.sqlite,
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
  // The schedules a user sets in Settings (node-cron): backup, retention, drift and token checks.
  const schedules = createAppSchedules({ ...config, sqlite: opened.sqlite, now: ctx.now, logger, runRetention: retention.run, check: diagnostics.check });
  const app = createApp({
    diagnostics,
    services,
    sessions,
    schedules,
    settings: createSettingsService({
      config,
      startConfig: input.startConfig,
      logger,
      version: appVersion(),
      previousBaseUrl: input.savedSettings?.base_url ?? null,
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
    localToken: input.localToken,
    allowedHosts: allowedHostsFor(config),
    maxBodyBytes: config.maxBodyBytes,
    validateResponses: config.validateResponses,
    uiDir: resolveAppPath('dist', 'renderer'),
    baseUrl: config.baseUrl,
  });
  const dispatcher = createMessageDispatcher({ ctx, manager: gatewayManager });
  const retentionLoop = ctx.loops.every('retention', runRetention, { intervalMs: RETENTION_INTERVAL_MS });
  const refusalLoop = ctx.loops.every('refusal log summary', () => services.refusals.flush(), { intervalMs: 60_000 });

  const closeDatabase = (): void => {
    if (!opened.sqlite.open) return;
    try {
      services.agents.presence.flushAll(); // write-behind check-in times (docs/architecture.md, "Presence")
    } catch (err) {
      ctx.loops.failed('presence flush', err, { at: 'stop' });
    }
    try {
      opened.sqlite.pragma('wal_checkpoint(TRUNCATE)'); // the next open needs no recovery, the -wal file is empty
    } finally {
      opened.close();
    }
  };

  return {
    ctx,
    services,
    fleet: fleetOf(services),
    diagnostics,
    gatewayManager,
    app,
    issueLoginCode: () => sessions.issueLoginCode(),
    closeDatabase,
    /** The background work: retention, the refusal log summary, the gateways, the outbox, the wake ladder, the feeds, the schedules. */
    start(): void {
      // Retention at start, then hourly; the refusal log's summary of each window is written even when no
      // refusal follows it. Both are guarded loops: a full disk is a doctor finding, not a crash.
      try {
        runRetention();
      } catch (err) {
        ctx.loops.failed('retention', err, { at: 'start' });
      }
      retentionLoop.start();
      refusalLoop.start();
      services.gateways.connectAll();
      dispatcher.start();
      services.wakeLadder.start();
      services.agentFeed.start();
      services.gatewayFeed.start();
      schedules.start();
    },
    async stop(): Promise<void> {
      let ladderStopped: Promise<void> = Promise.resolve();
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
            ladderStopped = services.wakeLadder.stop();
            dispatcherStopped = dispatcher.stop();
            schedulesStopped = schedules.stop(); // no timer fires from here; a backup in flight ends before the database closes
          },
        },
        // Requests in flight fail now with "stopping" instead of waiting for a hung gateway's timeout.
        { name: 'gateways', run: () => (aborted = gatewayManager.shutdown()) },
        { name: 'background work', run: () => Promise.allSettled([ladderStopped, dispatcherStopped, schedulesStopped]), graceMs: 1_500 },
        {
          name: 'http',
          run: () =>
            new Promise<void>((resolve) => {
              input.server.close(() => resolve());
              input.server.closeAllConnections();
            }),
          graceMs: 1_000,
        },
        { name: 'local channel', run: () => input.localChannel?.close(), graceMs: 500 },
        { name: 'database', run: closeDatabase },
        { name: 'instance', run: () => removeInstance(config.dataDir) },
        { name: 'refusal log', run: () => services.refusals.flush() },
      ]);
      log.info('app.stopped', 'Mission Control backend stopped', { phases, gateway_requests_aborted: aborted });
      await logger.close();
    },
  };
}

export type ComposedBackend = ReturnType<typeof composeBackend>;
