/*
 * When to try a gateway again. Two clocks: the connection's own reconnects after a retryable failure
 * (backoff with jitter, and the gateway's `retryAfterMs` hint honoured within sane bounds), and the
 * manager's redials of a connection refused for a reason a retry cannot fix by itself (wrong token,
 * TLS, missing scope): those are tried again on a backoff schedule too, never on every use — a user's
 * action (new credentials, a re-test, a doctor fix) still tries at once.
 */

/** A gateway's retry hint is honoured up to this (a larger one, e.g. 2^31 ms, would overflow setTimeout into a 1 ms loop). */
export const MAX_RETRY_HINT_MS = 5 * 60_000;
/** …and never below this (a hint of 0 or 1 ms must not turn into a tight loop). */
export const MIN_RETRY_HINT_MS = 250;

/** A gateway's `retryAfterMs`, clamped to [MIN_RETRY_HINT_MS, MAX_RETRY_HINT_MS]; 0 when there is no usable hint. */
export function clampRetryHint(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return 0;
  return Math.min(MAX_RETRY_HINT_MS, Math.max(MIN_RETRY_HINT_MS, retryAfterMs));
}

/** The wait before reconnect number `attempt` (0-based): exponential with jitter, at least the clamped hint. */
export function reconnectDelayMs(
  attempt: number,
  backoff: { baseMs: number; maxMs: number },
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 16));
  return Math.max(clampRetryHint(retryAfterMs), Math.round(exp * (0.5 + random() / 2)));
}

/** Redials of a refused gateway: the first after `baseMs`, doubling up to `maxMs`. */
export interface RedialSchedule {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_REDIAL: RedialSchedule = { baseMs: 5_000, maxMs: 5 * 60_000 };

/**
 * Per gateway: when a refused connection may be dialled again. `refused` after each refusal,
 * `mayRedial` on use, `reset` on a user's action or a successful connect.
 */
export function createRedialGate(schedule: RedialSchedule = DEFAULT_REDIAL, now: () => number = Date.now) {
  const byGateway = new Map<string, { refusals: number; notBefore: number }>();
  return {
    /** A connection of this gateway was refused (again): the next redial waits longer. */
    refused(gatewayId: string): void {
      const entry = byGateway.get(gatewayId) ?? { refusals: 0, notBefore: 0 };
      const wait = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(entry.refusals, 16));
      byGateway.set(gatewayId, { refusals: entry.refusals + 1, notBefore: now() + wait });
    },
    /** Whether a refused connection of this gateway may be dialled again now. */
    mayRedial(gatewayId: string): boolean {
      const entry = byGateway.get(gatewayId);
      return !entry || now() >= entry.notBefore;
    },
    /** When the next redial may happen (null: whenever). */
    notBefore(gatewayId: string): number | null {
      return byGateway.get(gatewayId)?.notBefore ?? null;
    },
    reset(gatewayId: string): void {
      byGateway.delete(gatewayId);
    },
  };
}

export type RedialGate = ReturnType<typeof createRedialGate>;
