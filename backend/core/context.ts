import type { OpenedDb } from '../db/open-db.js';
import type { Clock } from './clock.js';
import type { LoopRegistry } from './guarded-loop.js';
import type { Logger } from '../logging.js';

/** What every service gets. Time is injected so the lifecycle policy can be tested without sleeping. */
export interface ServiceContext {
  db: OpenedDb['db'];
  sqlite: OpenedDb['sqlite'];
  now: Clock;
  logger: Logger;
  policy: LifecyclePolicy;
  /** Every background loop runs through it: a failure is logged, backed off and shown by the doctor. */
  loops: LoopRegistry;
}

export interface LifecyclePolicy {
  checkinDeadlineMs: number;
  maxWakeAttempts: number;
  /** Offline after silence: max(minSilenceMs, silenceFactor × heartbeat interval). */
  minSilenceMs: number;
  silenceFactor: number;
  /** Agent API calls refresh last_seen_at at most this often (web edition: 30 s). */
  presenceTouchMs: number;
}

/** The config fields the policy comes from (core knows no config module). */
export interface PolicyConfig {
  checkinDeadlineSeconds: number;
  maxWakeAttempts: number;
  offlineAfterSeconds: number;
}

export const policyFromConfig = (config: PolicyConfig): LifecyclePolicy => ({
  checkinDeadlineMs: config.checkinDeadlineSeconds * 1000,
  maxWakeAttempts: config.maxWakeAttempts,
  minSilenceMs: config.offlineAfterSeconds * 1000,
  silenceFactor: 1.5,
  presenceTouchMs: 30_000,
});
