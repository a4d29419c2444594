import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger as PinoLogger } from 'pino';
import { createRotatingLogFile, type LogDestination } from './log-file.js';

/**
 * Every log line carries an `event` from this closed list, so a typo fails the typecheck and the
 * names agents' operators grep for (the web edition's `lifecycle.*`) stay stable.
 */
export const LOG_EVENTS = [
  'app.started',
  'app.stopped',
  'app.saved_port_unavailable',
  'app.local_channel_unavailable',
  'desktop.secrets_plaintext',
  'desktop.window_load_failed',
  'desktop.tray_action_failed',
  'desktop.quit_timeout',
  'desktop.quit_failed',
  'http.request',
  'http.request_failed',
  'http.host_rejected',
  'auth.user_failed',
  'auth.agent_failed',
  'agent.heartbeat',
  'agent.token_rotated',
  'db.opened',
  'lifecycle.queue.enqueued',
  'lifecycle.reconcile.deferred',
  'lifecycle.reconcile.retriggered',
  'lifecycle.reconcile.max_attempts_reached',
  'lifecycle.reconcile.skip_not_stuck',
  'lifecycle.reconcile.skip_stale_generation',
  'lifecycle.reconcile.skip_missing_agent',
  'lifecycle.reconcile.skip_deleting',
  'lifecycle.reconcile.skip_missing_gateway',
  'lifecycle.wake.sent',
  'lifecycle.wake.failed',
  'lifecycle.wake.joined',
  'lifecycle.wake.dropped',
  'lifecycle.gateway.run_failed',
  'lifecycle.checkin',
  'lifecycle.tick_failed',
  'queue.worker.success',
  'lifecycle.provision.note',
  'lifecycle.token.mismatch',
  'templates.sync.started',
  'templates.sync.finished',
  'templates.sync.agent_failed',
  'templates.drift.worker_unavailable',
  'gateway.connection.lost',
  'dispatcher.message_failed',
  'dispatcher.tick_failed',
  'gateway.connected',
  'gateway.device_token_dropped',
  'gateway.frame_invalid',
  'gateway.listener_failed',
  'gateway.subscribe_failed',
  'secrets.credentials_unreadable',
  'secrets.sealed_at_rest',
  'teardown.agents_left_on_gateway',
  'teardown.delete_retried',
  // Refusals, the log file and retention (docs/security.md, "the disk and the log").
  'auth.cross_origin_refused',
  'log.refusals_suppressed',
  'log.rotation_failed',
  'retention.failed',
  'retention.pruned',
  // The schedules set in Settings (backend/schedules/).
  'schedule.ran',
  'schedule.failed',
  'loop.failed',
  'loop.recovered',
  // Agent messaging (nudge, ask-user, lead message, broadcast: backend/services/agent-messaging.ts).
  'messaging.queued',
  'messaging.lead_created',
] as const;
export type LogEvent = (typeof LOG_EVENTS)[number];

type Fields = Record<string, unknown>;

/** A thin typed facade over pino: the event name is required and checked. */
export interface Logger {
  info(event: LogEvent, msg: string, fields?: Fields): void;
  warn(event: LogEvent, msg: string, fields?: Fields): void;
  error(event: LogEvent, msg: string, fields?: Fields): void;
  debug(event: LogEvent, msg: string, fields?: Fields): void;
  child(module: string): Logger;
  setLevel(level: string): void;
  isLevelEnabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
  readonly level: string;
  flush(): void;
  /** Writes what is buffered and closes the log file (the data dir may be removed afterwards). */
  close(): Promise<void>;
}

/**
 * Keys whose values are secrets wherever they appear. pino's redaction removes them even when a
 * caller passes a whole object by mistake.
 */
const REDACT_PATHS = [
  'token',
  'auth_token',
  'agent_token',
  'authorization',
  'password',
  'secret',
  '*.token',
  '*.authorization',
  '*.secret',
  'headers.authorization',
  'headers["x-agent-token"]',
  'headers.cookie',
];

function wrap(base: PinoLogger, root: PinoLogger, close: () => Promise<void>): Logger {
  const emit =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (event: LogEvent, msg: string, fields?: Fields): void => {
      base[level]({ ...fields, event }, msg);
    };
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: emit('debug'),
    child: (module) => wrap(base.child({ module }), root, close),
    setLevel: (level) => {
      root.level = level;
    },
    isLevelEnabled: (level) => base.isLevelEnabled(level),
    get level() {
      return root.level;
    },
    flush: () => root.flush(),
    close,
  };
}

type Destination = LogDestination;

/** Ends an async file destination once it is open, so no write or mkdir lands after a stop. */
function closeDestination(dest: Destination): Promise<void> {
  return new Promise((resolve) => {
    const state = dest as unknown as { fd: number; destroyed?: boolean };
    if (state.destroyed) return resolve();
    const end = () => {
      dest.once('close', () => resolve());
      dest.once('error', () => resolve());
      dest.end();
    };
    // SonicBoom opens the file (and creates its folder) asynchronously; ending before it is ready throws.
    if (state.fd >= 0) end();
    else dest.once('ready', end);
  });
}

export interface LoggerOptions {
  level: string;
  /** Folder for `mission-control.log`; omitted = no file. */
  logDir?: string;
  stdout?: boolean;
  /** Size-based rotation of the file (log-file.ts); default 10 MiB, 5 rotated files kept. */
  rotation?: { maxBytes: number; keep: number };
}

export const LOG_FILE_NAME = 'mission-control.log';
export const DEFAULT_LOG_ROTATION = { maxBytes: 10 * 1024 * 1024, keep: 5 };

export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  let file: Destination | undefined;
  let reportRotationError: (err: Error) => void = () => undefined;
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true, mode: 0o700 });
    const rotating = createRotatingLogFile({
      file: join(options.logDir, LOG_FILE_NAME),
      ...(options.rotation ?? DEFAULT_LOG_ROTATION),
      // Not from inside the write that found it (that would re-enter the logger).
      onError: (err) => setImmediate(() => reportRotationError(err)),
    });
    file = rotating.destination;
    streams.push({ level: 'trace', stream: rotating.stream });
  }
  if (options.stdout) streams.push({ level: 'trace', stream: pino.destination({ dest: 1, sync: false }) });
  const root = pino(
    {
      level: options.level,
      base: { app: 'mission-control' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      enabled: streams.length > 0,
    },
    pino.multistream(streams),
  );
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= file ? closeDestination(file) : Promise.resolve());
  const logger = wrap(root, root, close);
  reportRotationError = (err) => {
    if (!closing)
      logger.error('log.rotation_failed', 'the log file could not be rotated; it keeps growing until the next attempt', {
        error: err.message,
      });
  };
  return logger;
}
