import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { BoardCreate, BoardRead, BoardUpdate } from '../contract/boards.js';
import type { PageQuery } from '../contract/common.js';
import { agents, boardGroups, boards, gateways, type AgentRow, type BoardRow } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { recordActivity } from '../core/activity-log.js';
import type { Actor } from './actor.js';
import type { AgentService } from './agents.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { slugify, toBoardRead } from './serialize.js';
import { pageOf, rowid } from '../core/paging.js';

const toDate = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));

export function createBoardService(ctx: ServiceContext, agentService: AgentService) {
  const { db } = ctx;

  function getRow(id: string): BoardRow {
    const row = db.select().from(boards).where(eq(boards.id, id)).get();
    if (!row) throw notFound('Board');
    return row;
  }

  /** Boards need a gateway with a main agent (web-edition rule: the main agent coordinates leads). */
  function assertGatewayReady(gatewayId: string): void {
    const gw = db.select({ id: gateways.id }).from(gateways).where(eq(gateways.id, gatewayId)).get();
    if (!gw)
      throw new AppError('validation_failed', { message: 'gateway_id does not refer to a known gateway', loc: ['body', 'gateway_id'] });
    if (!agentService.mainAgentOf(gatewayId))
      throw new AppError('validation_failed', 'gateway must have a gateway main agent before boards can be created or updated');
  }

  /**
   * The board an actor may touch. Board agents: only their own board (403 otherwise); the gateway
   * main agent: boards of its own gateway; the user: any board.
   */
  function accessible(actor: Actor, boardId: string): BoardRow {
    const board = getRow(boardId);
    if (actor.kind === 'agent') assertAgentOnBoard(actor.agent, board);
    return board;
  }

  function assertAgentOnBoard(agent: AgentRow, board: BoardRow): void {
    if (agent.boardId !== null ? agent.boardId !== board.id : board.gatewayId !== agent.gatewayId) {
      throw forbidden({ message: 'Agent may not access this board.', code: 'task_board_mismatch' });
    }
  }

  function list(query: PageQuery & { gateway_id?: string | undefined; board_group_id?: string | undefined }, scope?: SQL) {
    const where = and(
      query.gateway_id ? eq(boards.gatewayId, query.gateway_id) : undefined,
      query.board_group_id ? eq(boards.boardGroupId, query.board_group_id) : undefined,
      scope,
    );
    const total = db.select({ n: count() }).from(boards).where(where).get()?.n ?? 0;
    const rows = db
      .select()
      .from(boards)
      .where(where)
      .orderBy(desc(boards.createdAt), desc(rowid(boards)))
      .limit(query.limit)
      .offset(query.offset)
      .all();
    return pageOf(rows.map(toBoardRead), total, query);
  }

  /** A board's group must exist: 422 on `body.board_group_id` otherwise (null leaves the group). */
  function assertGroup(groupId: string | null | undefined): string | null {
    if (!groupId) return null;
    const found = db.select({ id: boardGroups.id }).from(boardGroups).where(eq(boardGroups.id, groupId)).get();
    if (!found)
      throw new AppError('validation_failed', {
        message: 'board_group_id does not refer to a known board group',
        loc: ['body', 'board_group_id'],
      });
    return groupId;
  }

  return {
    getRow,
    accessible,
    assertAgentOnBoard,
    list,
    /** Boards an agent sees: its own, or (main agent) those of its gateway. */
    listForAgent(agent: AgentRow, query: PageQuery) {
      return list(query, agent.boardId ? eq(boards.id, agent.boardId) : eq(boards.gatewayId, agent.gatewayId));
    },
    get: (id: string): BoardRead => toBoardRead(getRow(id)),

    create(input: BoardCreate): BoardRead {
      assertGatewayReady(input.gateway_id);
      const now = ctx.now();
      const row = db.transaction((tx) => {
        const created = tx
          .insert(boards)
          .values({
            id: newId(),
            name: input.name,
            slug: input.slug ?? slugify(input.name),
            description: input.description,
            gatewayId: input.gateway_id,
            boardType: input.board_type,
            objective: input.objective ?? null,
            successMetrics: input.success_metrics ?? null,
            targetDate: toDate(input.target_date) ?? null,
            goalConfirmed: input.goal_confirmed,
            requireApprovalForDone: input.require_approval_for_done,
            requireReviewBeforeDone: input.require_review_before_done,
            commentRequiredForReview: input.comment_required_for_review,
            blockStatusChangesWithPendingApproval: input.block_status_changes_with_pending_approval,
            onlyLeadCanChangeStatus: input.only_lead_can_change_status,
            maxAgents: input.max_agents,
            boardGroupId: assertGroup(input.board_group_id),
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        recordActivity(tx, now, { eventType: 'board.created', message: `Board ${created.name} created.`, boardId: created.id });
        return created;
      });
      return toBoardRead(row);
    },

    update(id: string, patch: BoardUpdate): BoardRead {
      const current = getRow(id);
      const gatewayId = patch.gateway_id ?? current.gatewayId;
      if (gatewayId) assertGatewayReady(gatewayId);
      if (patch.gateway_id !== undefined && patch.gateway_id !== current.gatewayId) {
        const boardAgents = db.select({ n: count() }).from(agents).where(eq(agents.boardId, id)).get()?.n ?? 0;
        if (boardAgents > 0) throw new AppError('conflict', 'Cannot move a board with agents to another gateway; remove its agents first.');
      }
      const row = db
        .update(boards)
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.slug !== undefined && { slug: patch.slug }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.gateway_id !== undefined && { gatewayId: patch.gateway_id }),
          ...(patch.board_type !== undefined && { boardType: patch.board_type }),
          ...(patch.objective !== undefined && { objective: patch.objective }),
          ...(patch.success_metrics !== undefined && { successMetrics: patch.success_metrics }),
          ...(patch.target_date !== undefined && { targetDate: toDate(patch.target_date) }),
          ...(patch.goal_confirmed !== undefined && { goalConfirmed: patch.goal_confirmed }),
          ...(patch.require_approval_for_done !== undefined && { requireApprovalForDone: patch.require_approval_for_done }),
          ...(patch.require_review_before_done !== undefined && { requireReviewBeforeDone: patch.require_review_before_done }),
          ...(patch.comment_required_for_review !== undefined && { commentRequiredForReview: patch.comment_required_for_review }),
          ...(patch.block_status_changes_with_pending_approval !== undefined && {
            blockStatusChangesWithPendingApproval: patch.block_status_changes_with_pending_approval,
          }),
          ...(patch.only_lead_can_change_status !== undefined && { onlyLeadCanChangeStatus: patch.only_lead_can_change_status }),
          ...(patch.max_agents !== undefined && { maxAgents: patch.max_agents }),
          ...(patch.board_group_id !== undefined && { boardGroupId: assertGroup(patch.board_group_id) }),
          updatedAt: ctx.now(),
        })
        .where(eq(boards.id, id))
        .returning()
        .get();
      return toBoardRead(row ?? getRow(id));
    },

    /**
     * Deletes the board with everything on it (tasks, approvals, chat cascade; agent records explicitly).
     * The records only: `teardown.deleteBoard` deletes its agents on the gateway first.
     */
    delete(id: string): void {
      const board = getRow(id);
      const now = ctx.now();
      db.transaction((tx) => {
        const boardAgentIds = tx
          .select({ id: agents.id })
          .from(agents)
          .where(eq(agents.boardId, id))
          .all()
          .map((a) => a.id);
        // Agents reference the board (restrict), so they go first; tasks/approvals/chat cascade.
        if (boardAgentIds.length > 0) tx.delete(agents).where(inArray(agents.id, boardAgentIds)).run();
        tx.delete(boards).where(eq(boards.id, id)).run();
        recordActivity(tx, now, { eventType: 'board.deleted', message: `Board ${board.name} deleted.` });
      });
    },
  };
}

export type BoardService = ReturnType<typeof createBoardService>;
