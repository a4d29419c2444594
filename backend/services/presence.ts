import type { AgentRow } from '../db/schema.js';
import type { ServiceContext } from '../core/context.js';

/** How long a steady-state check-in time may wait in memory before it is written (and what a crash may lose). */
export const PRESENCE_FLUSH_MS = 5_000;
/**
 * Rows per flush transaction: a large fleet's flush is spread over several event-loop turns, not one
 * long stall. Batches go in creation (≈ rowid) order, so a batch dirties few pages: the page writes
 * at commit, not the UPDATEs, are what a flush costs.
 */
const FLUSH_BATCH = 250;
/** Authentication cache bound (entries are only ever added for valid tokens, so this is a fleet size). */
const AUTH_CACHE_MAX = 20_000;

/**
 * The heartbeat hot path without SQLite (docs/performance.md, P5 + P6; docs/architecture.md, "Presence"):
 *
 * - **Authentication cache** (token → agent row). SQLite itself invalidates it: temporary triggers on
 *   this connection call back into the process for every UPDATE or DELETE of an `agents` row,
 *   whoever writes it (this service, the wake ladder, provisioning, a cascade, a test poking the
 *   database), and the row is forgotten before the writing statement returns. Rotation and deletion
 *   also forget explicitly, in their own code path. Writes from another connection (another process)
 *   are caught by `PRAGMA data_version`, checked on every lookup, which empties the whole cache. The
 *   one write that keeps a row is this module's own flush, when the cached row already carries the
 *   check-in time being written.
 * - **Write-behind presence.** A check-in that changes nothing but the clock records the time in
 *   memory; a flush writes pending times PRESENCE_FLUSH_MS after the first one, in transactions of
 *   FLUSH_BATCH rows, never moving last_seen_at or updated_at backwards. API reads overlay pending
 *   times, `flushAll()` (backend stop) writes everything, a crash loses at most the last
 *   PRESENCE_FLUSH_MS of steady-state check-ins. State changes (provisioning → online, ladder reset)
 *   always write through.
 *
 * One instance per connection (the trigger callback is registered on the connection).
 */
export function createPresence(ctx: ServiceContext): Presence {
  const existing = presenceByConnection.get(ctx.sqlite);
  if (existing) return existing;
  const presence = buildPresence(ctx);
  presenceByConnection.set(ctx.sqlite, presence);
  return presence;
}

const presenceByConnection = new WeakMap<ServiceContext['sqlite'], Presence>();

function buildPresence(ctx: ServiceContext) {
  const { sqlite } = ctx;
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  const flushStmt = sqlite.prepare(
    'UPDATE agents SET last_seen_at = @at, updated_at = max(updated_at, @at) WHERE id = @id AND (last_seen_at IS NULL OR last_seen_at < @at)',
  );
  const flushBatch = sqlite.transaction((batch: Pending[]) => {
    for (const p of batch) flushStmt.run({ id: p.id, at: p.at });
  });

  const byToken = new Map<string, AgentRow>();
  const tokenOf = new Map<string, string>();
  let versionMark = dataVersion.get() as number;
  type Pending = { id: string; at: number; order: number; since: number };
  const pending = new Map<string, Pending>();
  const urgent = new Set<string>();
  let urgentFlush: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flushLoop = ctx.loops.track('presence flush', { intervalMs: PRESENCE_FLUSH_MS });

  function forget(id: string): void {
    const token = tokenOf.get(id);
    if (token === undefined) return;
    tokenOf.delete(id);
    byToken.delete(token);
  }
  function forgetAll(): void {
    byToken.clear();
    tokenOf.clear();
  }

  // Called by SQLite inside every UPDATE/DELETE of an agents row on this connection. An UPDATE that
  // sets only the presence columns (the flush below) does not fire it: the column list is every other
  // column, read from the table at start, so a column added by a later migration is covered too.
  // A pending check-in time of that agent is written in the next turn, so whoever wrote (the
  // wake ladder setting a deadline after a wake) reads the true last_seen_at from then on.
  sqlite.function('mc_agent_row_changed', { deterministic: false }, (id: unknown) => {
    if (typeof id !== 'string') return null;
    forget(id);
    if (pending.has(id)) {
      urgent.add(id);
      urgentFlush ??= setImmediate(flushUrgent);
    }
    return null;
  });
  const presenceColumns = new Set(['last_seen_at', 'updated_at']);
  const watched = (sqlite.prepare("SELECT name FROM pragma_table_info('agents')").pluck().all() as string[])
    .filter((name) => !presenceColumns.has(name))
    .map((name) => `"${name}"`)
    .join(', ');
  sqlite.exec(`
    CREATE TEMP TRIGGER IF NOT EXISTS mc_agents_cache_update AFTER UPDATE OF ${watched} ON main.agents
      BEGIN SELECT mc_agent_row_changed(OLD.id); END;
    CREATE TEMP TRIGGER IF NOT EXISTS mc_agents_cache_delete AFTER DELETE ON main.agents
      BEGIN SELECT mc_agent_row_changed(OLD.id); END;
  `);

  /** After a flush: a cached row read from the database before it catches up with the time written. */
  function catchUp(p: Pending): void {
    const token = tokenOf.get(p.id);
    const row = token === undefined ? undefined : byToken.get(token);
    if (token === undefined || !row || (row.lastSeenAt !== null && row.lastSeenAt.getTime() >= p.at)) return;
    const seen = new Date(p.at);
    byToken.set(token, { ...row, lastSeenAt: seen, updatedAt: row.updatedAt.getTime() >= p.at ? row.updatedAt : seen });
  }

  /** Write up to `limit` pending times (oldest first). */
  function flush(limit = Infinity): void {
    if (pending.size === 0 || !sqlite.open) return;
    while (pending.size > 0 && limit > 0) {
      const batch: Pending[] = [];
      for (const entry of pending.values()) {
        batch.push(entry);
        if (batch.length === FLUSH_BATCH) break;
      }
      writeBatch(batch);
      limit -= batch.length;
    }
  }

  function flushUrgent(): void {
    urgentFlush = null;
    const batch = [...urgent].flatMap((id) => pending.get(id) ?? []);
    urgent.clear();
    if (batch.length === 0 || !sqlite.open) return;
    try {
      writeBatch(batch);
    } catch (err) {
      flushLoop.failed(err, { pending: pending.size }); // kept pending; the scheduled flush retries
    }
  }

  function writeBatch(batch: Pending[]): void {
    batch.sort((a, b) => a.order - b.order);
    flushBatch(batch);
    for (const p of batch) {
      pending.delete(p.id); // built and written in this same synchronous step: nothing newer can be pending
      catchUp(p);
    }
  }

  /** Delay until the oldest pending entry is PRESENCE_FLUSH_MS old (0 if it already is). */
  function pendingSince(nowMs: number): number {
    const oldest = pending.values().next().value;
    return oldest === undefined ? PRESENCE_FLUSH_MS : Math.max(0, oldest.since + PRESENCE_FLUSH_MS - nowMs);
  }

  function scheduled(): void {
    timer = null;
    try {
      flush(FLUSH_BATCH);
      flushLoop.succeeded();
    } catch (err) {
      // Kept pending and retried after a backoff (database busy, disk full); never a crash from a timer.
      timer = setTimeout(scheduled, flushLoop.failed(err, { pending: pending.size }));
      timer.unref();
      return;
    }
    // The rest in later turns, so requests interleave with a large fleet's flush; what arrived
    // since the flush began waits for the next window.
    if (pending.size > 0) {
      timer = setTimeout(scheduled, pendingSince(Date.now()));
      timer.unref();
    }
  }

  return {
    /** The cached row for a token (none if another connection wrote to the database since). */
    lookup(token: string): AgentRow | undefined {
      const version = dataVersion.get() as number;
      if (version !== versionMark) {
        forgetAll();
        versionMark = version;
      }
      return byToken.get(token);
    },
    /** Remember the row just read for `token` (its agent's previous token, if cached, is dropped). */
    remember(token: string, row: AgentRow): void {
      if (byToken.size >= AUTH_CACHE_MAX) forgetAll();
      forget(row.id);
      byToken.set(token, row);
      tokenOf.set(row.id, token);
    },
    /** Forget an agent's cached row (its token was rotated or it was deleted). */
    forget,
    forgetAll,
    /** A steady-state check-in: the row's new clock, kept in memory until the next flush. */
    defer(next: AgentRow): void {
      const at = (next.lastSeenAt as Date).getTime();
      const waiting = pending.get(next.id);
      // An agent already waiting keeps its place and its age: the bound runs from its first unwritten check-in.
      if (waiting) waiting.at = Math.max(waiting.at, at);
      else pending.set(next.id, { id: next.id, at, order: next.createdAt.getTime(), since: Date.now() });
      const token = tokenOf.get(next.id);
      if (token !== undefined) byToken.set(token, next);
      if (timer === null) {
        timer = setTimeout(scheduled, PRESENCE_FLUSH_MS);
        timer.unref();
      }
    },
    /** A check-in written through: nothing of it is pending any more. */
    settled(id: string): void {
      pending.delete(id);
    },
    /** `row` with its pending check-in time, if one is newer. */
    overlay(row: AgentRow): AgentRow {
      const at = pending.get(row.id)?.at;
      if (at === undefined || (row.lastSeenAt !== null && row.lastSeenAt.getTime() >= at)) return row;
      const seen = new Date(at);
      return { ...row, lastSeenAt: seen, updatedAt: row.updatedAt.getTime() >= at ? row.updatedAt : seen };
    },
    /** Write every pending time now (backend stop). */
    flushAll(): void {
      if (timer) clearTimeout(timer);
      if (urgentFlush) clearImmediate(urgentFlush);
      timer = null;
      urgentFlush = null;
      urgent.clear();
      flush();
    },
    pendingCount: () => pending.size,
  };
}

export type Presence = ReturnType<typeof buildPresence>;
