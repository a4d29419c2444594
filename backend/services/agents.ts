import { and, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { AgentCreate, AgentRead, AgentUpdate, LeadAgentCreate } from '../contract/agents.js';
import type { PageQuery } from '../contract/common.js';
import type { DbOrTx } from '../db/open-db.js';
import { agents, boards, gateways, retiredAgentTokens, tasks, templateDriftMemory, type AgentRow, type BoardRow } from '../db/schema.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';
import { CHECKIN_RESET, ladderInProgress, prepareCheckinWrite, recordCheckin } from '../core/wake-ladder.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { silenceThresholdMs, toAgentRead } from './serialize.js';
import { generateAgentToken, hashAgentToken } from '../core/tokens.js';
import { pageOf, rowid } from '../core/paging.js';

export const DEFAULT_HEARTBEAT_CONFIG = { every: '10m', target: 'last', includeReasoning: false };
export const DEFAULT_IDENTITY_PROFILE = { role: 'Generalist', communication_style: 'direct, concise, practical', emoji: ':gear:' };

/** Session keys exactly as the web edition derives them (agents and templates depend on them). */
export const sessionKeys = {
  main: (gatewayId: string) => `agent:mc-gateway-${gatewayId}:main`,
  lead: (boardId: string) => `agent:lead-${boardId}:main`,
  worker: (agentId: string) => `agent:mc-${agentId}:main`,
};

/**
 * A check-in's status: the one sent (`/api/v1/agents/{id}/heartbeat` may set a free-form status),
 * else provisioning/offline become online. updating/deleting are Mission Control's own and stay,
 * whatever the agent sends: an agent must not end its own update or teardown (docs/security.md).
 */
export function statusAfterCheckin(current: string, sent: string | undefined): string {
  if (current === 'updating' || current === 'deleting') return current;
  if (sent !== undefined) return sent;
  return current === 'provisioning' || current === 'offline' ? 'online' : current;
}

export function createAgentService(ctx: ServiceContext) {
  const { db } = ctx;
  // Reads overlay a check-in time not yet flushed (write-behind presence below), so the API never shows a stale last_seen_at.
  const read = (row: AgentRow): AgentRead => toAgentRead(presence.overlay(row), ctx.now(), ctx.policy);

  // The check-in is the hot path (every agent, every wake): statements are prepared once, and so is
  // the transaction used when state changes (building one per call cost ~16 µs; see docs/performance.md).
  const checkinStmt = prepareCheckinWrite(db);
  const checkinWithActivity = ctx.sqlite.transaction((agent: AgentRow, next: AgentRow, now: Date) => {
    if (checkinStmt.run({ id: agent.id, now: now.getTime(), status: next.status }).changes === 0) throw notFound('Agent');
    if (ladderInProgress(agent)) recordCheckin(db, ctx.logger, now, agent);
    if (next.status !== agent.status) {
      recordActivity(db, now, {
        eventType: 'agent.heartbeat',
        message: `Heartbeat received from ${agent.name} (${agent.status} → ${next.status}).`,
        agentId: agent.id,
        boardId: agent.boardId,
      });
    }
  });

  const presence = createPresence(ctx);

  function getRow(id: string): AgentRow {
    const row = db.select().from(agents).where(eq(agents.id, id)).get();
    if (!row) throw notFound('Agent');
    return row;
  }

  function boardOrThrow(boardId: string): BoardRow {
    const board = db.select().from(boards).where(eq(boards.id, boardId)).get();
    if (!board) throw notFound('Board');
    return board;
  }

  /** Names are unique per board and per gateway, case-insensitively. */
  function assertNameFree(name: string, gatewayId: string, boardId: string | null, exceptId?: string): void {
    const clash = db
      .select({ id: agents.id, boardId: agents.boardId })
      .from(agents)
      .where(
        and(sql`lower(${agents.name}) = lower(${name})`, eq(agents.gatewayId, gatewayId), exceptId ? ne(agents.id, exceptId) : undefined),
      )
      .get();
    if (!clash) return;
    throw conflict(
      clash.boardId === boardId
        ? `An agent with this name already exists on this board.`
        : `An agent with this name already exists on this gateway.`,
    );
  }

  function insertBoardAgent(board: BoardRow, input: Omit<AgentCreate, 'board_id'> & { is_board_lead: boolean }): AgentRow {
    if (!board.gatewayId) throw new AppError('validation_failed', 'Board has no gateway; assign one before adding agents.');
    const gatewayId = board.gatewayId;
    const now = ctx.now();
    const id = newId();
    return db.transaction((tx) => {
      assertNameFree(input.name, gatewayId, board.id);
      if (input.is_board_lead) {
        const lead = tx
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.boardId, board.id), eq(agents.isBoardLead, true)))
          .get();
        if (lead) throw conflict('This board already has a lead agent.');
      }
      const row = tx
        .insert(agents)
        .values({
          id,
          boardId: board.id,
          gatewayId,
          name: input.name,
          status: 'provisioning',
          openclawSessionId: input.is_board_lead ? sessionKeys.lead(board.id) : sessionKeys.worker(id),
          heartbeatConfig: { ...DEFAULT_HEARTBEAT_CONFIG, ...input.heartbeat_config },
          identityProfile: input.identity_profile ?? {
            ...DEFAULT_IDENTITY_PROFILE,
            role: input.is_board_lead ? 'Board Lead' : 'Generalist',
          },
          identityTemplate: input.identity_template ?? null,
          soulTemplate: input.soul_template ?? null,
          isBoardLead: input.is_board_lead,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      recordActivity(tx, now, { eventType: 'agent.created', message: `Agent ${row.name} created.`, agentId: row.id, boardId: board.id });
      return row;
    });
  }

  return {
    getRow,
    read,
    /** The authentication cache and the write-behind check-in times (agent-auth.ts, backend stop). */
    presence,

    list(query: PageQuery & { board_id?: string | undefined; gateway_id?: string | undefined }, scope?: SQL) {
      const where = and(
        query.board_id ? eq(agents.boardId, query.board_id) : undefined,
        query.gateway_id ? eq(agents.gatewayId, query.gateway_id) : undefined,
        scope,
      );
      const total = db.select({ n: count() }).from(agents).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(agents)
        .where(where)
        .orderBy(desc(agents.createdAt), desc(rowid(agents)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(read), total, query);
    },

    get: (id: string) => read(getRow(id)),

    create(input: AgentCreate): AgentRead {
      return read(insertBoardAgent(boardOrThrow(input.board_id), input));
    },

    /** A board lead adds a worker to its own board; `max_agents` counts workers only. */
    createByLead(lead: AgentRow, input: LeadAgentCreate): AgentRead {
      if (!lead.isBoardLead || !lead.boardId) throw forbidden('Only board leads can perform this action');
      if (input.board_id && input.board_id !== lead.boardId) throw forbidden('Board leads can only add agents to their own board.');
      const board = boardOrThrow(lead.boardId);
      const workers =
        db
          .select({ n: count() })
          .from(agents)
          .where(and(eq(agents.boardId, board.id), eq(agents.isBoardLead, false)))
          .get()?.n ?? 0;
      if (workers >= board.maxAgents) {
        throw conflict(
          `Board worker-agent limit reached: max_agents=${board.maxAgents} (excluding the lead); remove an agent or raise the board's max_agents.`,
        );
      }
      const { board_id: _ignored, ...rest } = input;
      return read(insertBoardAgent(board, { ...rest, is_board_lead: false }));
    },

    update(id: string, patch: AgentUpdate): AgentRead {
      const row = getRow(id);
      const now = ctx.now();
      return read(
        db.transaction((tx) => {
          if (patch.name !== undefined && patch.name.toLowerCase() !== row.name.toLowerCase()) {
            assertNameFree(patch.name, row.gatewayId, row.boardId, row.id);
          }
          const updated = tx
            .update(agents)
            .set({
              ...(patch.name !== undefined && { name: patch.name }),
              ...(patch.heartbeat_config !== undefined && {
                heartbeatConfig: patch.heartbeat_config ? { ...DEFAULT_HEARTBEAT_CONFIG, ...patch.heartbeat_config } : null,
              }),
              ...(patch.identity_profile !== undefined && { identityProfile: patch.identity_profile }),
              ...(patch.identity_template !== undefined && { identityTemplate: patch.identity_template }),
              ...(patch.soul_template !== undefined && { soulTemplate: patch.soul_template }),
              updatedAt: now,
            })
            .where(eq(agents.id, id))
            .returning()
            .get();
          recordActivity(tx, now, {
            eventType: 'agent.updated',
            message: `Agent ${updated?.name ?? row.name} updated.`,
            agentId: id,
            boardId: row.boardId,
          });
          return updated ?? row;
        }),
      );
    },

    /** Delete the record: in-progress work goes back to the inbox, other assignments are cleared. */
    delete(id: string): void {
      const row = getRow(id);
      const now = ctx.now();
      db.transaction((tx) => {
        tx.update(tasks)
          .set({ status: 'inbox', assignedAgentId: null, inProgressAt: null, updatedAt: now })
          .where(and(eq(tasks.assignedAgentId, id), eq(tasks.status, 'in_progress')))
          .run();
        tx.update(tasks).set({ assignedAgentId: null, updatedAt: now }).where(eq(tasks.assignedAgentId, id)).run();
        recordActivity(tx, now, { eventType: 'agent.delete.direct', message: `Agent ${row.name} deleted.`, boardId: row.boardId });
        tx.delete(agents).where(eq(agents.id, id)).run();
      });
      // Its token must fail at once: the authentication cache forgets it in this same call.
      presence.forget(id);
    },

    /** A lead may remove a worker of its own board (never a lead or the gateway main agent). */
    assertLeadMayDelete(lead: AgentRow, boardId: string, agentId: string): void {
      if (!lead.isBoardLead || lead.boardId !== boardId) throw forbidden('Only board leads can perform this action');
      const target = db.select().from(agents).where(eq(agents.id, agentId)).get();
      if (!target) return; // already gone: deleting is idempotent, as in the web edition
      if (target.boardId === null) throw forbidden('The gateway main agent cannot be deleted by a board lead.');
      if (target.boardId !== boardId) throw forbidden('Agent is not on this board.');
      if (target.isBoardLead) throw forbidden('Board leads cannot delete a lead agent.');
    },

    exists: (id: string): boolean => db.select({ id: agents.id }).from(agents).where(eq(agents.id, id)).get() !== undefined,

    /**
     * Mint a new token. The old one is retired (kept only as a hash) so later 401s with it are
     * attributed to this agent as token drift; it stops working immediately.
     */
    rotateToken(id: string): { agent_id: string; token: string } {
      const token = generateAgentToken();
      this.setToken(id, token);
      return { agent_id: id, token };
    },

    /** Store `token` as the agent's token (hash only); the previous one is retired at once. */
    setToken(id: string, token: string): void {
      const row = getRow(id);
      const hash = hashAgentToken(token);
      if (row.agentTokenHash === hash) return;
      const now = ctx.now();
      db.transaction((tx) => {
        if (row.agentTokenHash) {
          tx.insert(retiredAgentTokens).values({ tokenHash: row.agentTokenHash, agentId: id, retiredAt: now }).onConflictDoNothing().run();
        }
        tx.update(agents).set({ agentTokenHash: hash, updatedAt: now }).where(eq(agents.id, id)).run();
        // What was remembered about its workspace ("token matches") is no longer known: a provisioning
        // that wrote the new token records it again right after this.
        tx.delete(templateDriftMemory).where(eq(templateDriftMemory.agentId, id)).run();
      });
      // The old token must fail at once (and be attributed via retired_agent_tokens): no cached row may answer for it.
      presence.forget(id);
      ctx.logger.child('agents').info('agent.token_rotated', 'agent token rotated', { agent_id: id });
    },

    /** Does `token` match the agent's stored hash? */
    tokenMatches(agent: AgentRow, token: string): boolean {
      return agent.agentTokenHash !== null && agent.agentTokenHash === hashAgentToken(token);
    },

    /**
     * The check-in: sets last_seen_at, resets the wake ladder and moves provisioning/offline →
     * online. `agent` was read by authentication in this same synchronous step, so the answer is
     * built from it instead of reading the row back. A steady-state check-in (nothing but the clock
     * changes) is one single-row UPDATE; a state change is a transaction with its activity row.
     */
    heartbeat(agent: AgentRow, status?: string): AgentRead {
      const now = ctx.now();
      const next: AgentRow = {
        ...agent,
        status: statusAfterCheckin(agent.status, status),
        lastSeenAt: now,
        updatedAt: now,
        ...CHECKIN_RESET,
        lastProvisionError: null,
      };
      // Steady: nothing but the clock changes, as stored and as reads show it (an agent read as offline
      // after silence coming back is a visible change, written through like the others).
      const steady =
        next.status === agent.status &&
        agent.wakeAttempts === 0 &&
        agent.checkinDeadlineAt === null &&
        agent.lastProvisionError === null &&
        agent.lastSeenAt !== null &&
        now.getTime() - agent.lastSeenAt.getTime() <= silenceThresholdMs(agent, ctx.policy);
      if (steady) {
        // Only the clock changes: recorded in memory, flushed in batches within PRESENCE_FLUSH_MS (see createPresence).
        presence.defer(next);
      } else {
        // State changes are never deferred: one transaction with their activity row.
        checkinWithActivity(agent, next, now);
        presence.settled(agent.id);
      }
      return toAgentRead(next, now, ctx.policy);
    },

    /** Any successful agent call refreshes presence, at most every `presenceTouchMs`. */
    touchPresence(agent: AgentRow): void {
      const now = ctx.now();
      const seen = presence.overlay(agent).lastSeenAt;
      if (seen && now.getTime() - seen.getTime() < ctx.policy.presenceTouchMs) return;
      db.update(agents)
        .set({
          lastSeenAt: now,
          updatedAt: now,
          status: sql`CASE WHEN ${agents.status} IN ('updating', 'deleting') THEN ${agents.status} ELSE 'online' END`,
        })
        .where(eq(agents.id, agent.id))
        .run();
    },

    /** Agents a given agent may see: its board's, or (main agent) its gateway's. */
    visibilityScope(agent: AgentRow): SQL | undefined {
      return agent.boardId ? eq(agents.boardId, agent.boardId) : eq(agents.gatewayId, agent.gatewayId);
    },

    /** The gateway's main agent (the one agent with no board), if it has one. */
    mainAgentOf(gatewayId: string, tx: DbOrTx = db): AgentRow | undefined {
      return tx
        .select()
        .from(agents)
        .where(and(eq(agents.gatewayId, gatewayId), isNull(agents.boardId)))
        .get();
    },

    /** The gateway main agent record, created with the gateway (provisioned on the gateway later). */
    ensureMainAgent(gatewayId: string, tx: DbOrTx = db): AgentRow {
      const existing = this.mainAgentOf(gatewayId, tx);
      if (existing) return existing;
      const gateway = tx.select().from(gateways).where(eq(gateways.id, gatewayId)).get();
      if (!gateway) throw notFound('Gateway');
      const now = ctx.now();
      const row = tx
        .insert(agents)
        .values({
          id: newId(),
          boardId: null,
          gatewayId,
          name: `${gateway.name} Gateway Agent`,
          status: 'provisioning',
          openclawSessionId: sessionKeys.main(gatewayId),
          heartbeatConfig: DEFAULT_HEARTBEAT_CONFIG,
          identityProfile: { role: 'Gateway Agent', communication_style: 'direct, concise, practical', emoji: ':compass:' },
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      return row;
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;

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
 *   whoever writes it (this service, the supervisor, provisioning, a cascade, a test poking the
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
  // supervisor setting a deadline after a wake) reads the true last_seen_at from then on.
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
