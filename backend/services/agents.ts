import { and, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { AgentCreate, AgentRead, AgentUpdate, LeadAgentCreate } from '../contract/agents.js';
import type { PageQuery } from '../contract/common.js';
import type { DbOrTx } from '../db/open-db.js';
import { agents, boards, gateways, retiredAgentTokens, tasks, templateDriftMemory, type AgentRow, type BoardRow } from '../db/schema.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { createCheckin } from './checkin.js';
import { createPresence } from './presence.js';
import { toAgentRead } from './serialize.js';

import { generateAgentToken, hashAgentToken } from '../core/tokens.js';
import { pageOf, rowid } from '../core/paging.js';

/*
 * Agent records: create (by an operator or a board lead), update, delete, tokens, the main agent.
 * The check-in lives in checkin.ts, the authentication cache and write-behind times in presence.ts;
 * this service hands both out so callers keep one `agents` object.
 */

export const DEFAULT_HEARTBEAT_CONFIG = { every: '10m', target: 'last', includeReasoning: false };
export const DEFAULT_IDENTITY_PROFILE = { role: 'Generalist', communication_style: 'direct, concise, practical', emoji: ':gear:' };

/** Session keys exactly as the web edition derives them (agents and templates depend on them). */
export const sessionKeys = {
  main: (gatewayId: string) => `agent:mc-gateway-${gatewayId}:main`,
  lead: (boardId: string) => `agent:lead-${boardId}:main`,
  worker: (agentId: string) => `agent:mc-${agentId}:main`,
};

export function createAgentService(ctx: ServiceContext) {
  const { db } = ctx;
  // Reads overlay a check-in time not yet flushed (write-behind presence, presence.ts), so the API never shows a stale last_seen_at.
  const read = (row: AgentRow): AgentRead => toAgentRead(presence.overlay(row), ctx.now(), ctx.policy);

  const presence = createPresence(ctx);
  const checkin = createCheckin(ctx, presence);

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
    /** The check-in (heartbeat) and presence refresh of agent calls (checkin.ts). */
    heartbeat: checkin.heartbeat,
    touchPresence: checkin.touchPresence,

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
      const { board_id: _ignored, status: _lifecycleIsOurs, ...rest } = input;
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
