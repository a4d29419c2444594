import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { TemplateSyncQuery } from '../contract/templates.js';
import { AppError } from '../errors.js';
import { agents, boards, type AgentRow, type GatewayRow } from '../db/schema.js';
import type { AgentRecords } from '../core/ports.js';
import type { ServiceContext } from '../core/context.js';
import { pausedBoardIds } from '../core/board-pause.js';

/*
 * Which agents a template sync or drift read covers, and what a sync does with each — in particular
 * with the agents of a board paused with `/pause` in its chat.
 *
 * Pausing a board (its lead's or the user's call) keeps a sync from rewriting its agents' workspaces
 * and sessions, as in the web edition. It never exempts them from a token rotation the user asked for:
 * a token the user wants replaced (because it leaked, or drifted) must stop working everywhere, or a
 * paused board would be a way to keep an old token alive. So with `rotate_tokens` a paused board's
 * agents are re-keyed (the new token written into AGENTS.md, which carries it, the old one refused),
 * but their own files are not overwritten, their sessions are not reset (the session is where the
 * `/pause` they were told lives) and no bootstrap is forced.
 */

export interface SyncScopeQuery {
  board_id?: string | undefined;
  lead_only: boolean;
  include_main: boolean;
}

export const PAUSED_SKIPPED = 'Skipped: its board is paused (/pause in board chat); /resume to include it.';
export const PAUSED_REKEYED =
  'Its board is paused (/pause in board chat): re-keyed only — token rotated and written; its own files and its session kept.';

/** The agents a sync or drift run covers: board agents (by creation) first, then the main agent; and the paused boards. */
export function syncScope(ctx: ServiceContext, agentService: AgentRecords, gateway: GatewayRow, query: SyncScopeQuery) {
  const { db } = ctx;
  let boardIds = db
    .select({ id: boards.id })
    .from(boards)
    .where(eq(boards.gatewayId, gateway.id))
    .all()
    .map((b) => b.id);
  if (query.board_id !== undefined) {
    if (!boardIds.includes(query.board_id))
      throw new AppError('validation_failed', { message: 'Board does not belong to this gateway.', loc: ['query', 'board_id'] });
    boardIds = [query.board_id];
  }
  const boardAgents =
    boardIds.length === 0
      ? []
      : db
          .select()
          .from(agents)
          .where(
            and(
              inArray(agents.boardId, boardIds),
              ne(agents.status, 'deleting'),
              query.lead_only ? eq(agents.isBoardLead, true) : undefined,
            ),
          )
          .orderBy(asc(agents.createdAt))
          .all();
  const found = query.include_main ? agentService.mainAgentOf(gateway.id) : undefined;
  const main = found?.status === 'deleting' ? undefined : found;
  return { targets: [...boardAgents, ...(main ? [main] : [])], main, paused: pausedBoardIds(db, boardIds) };
}

export type SyncPlan = { kind: 'skip'; reason: string } | { kind: 'sync'; options: TemplateSyncQuery; note: string | null };

/** What a sync does with one agent: all of it, only the re-keying (paused board, rotate_tokens), or nothing (paused board). */
export function planAgentSync(agent: AgentRow, paused: ReadonlySet<string>, options: TemplateSyncQuery): SyncPlan {
  if (agent.boardId === null || !paused.has(agent.boardId)) return { kind: 'sync', options, note: null };
  if (!options.rotate_tokens) return { kind: 'skip', reason: PAUSED_SKIPPED };
  return {
    kind: 'sync',
    options: { ...options, overwrite: false, reset_sessions: false, force_bootstrap: false },
    note: PAUSED_REKEYED,
  };
}
