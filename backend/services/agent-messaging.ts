import { and, desc, eq, inArray } from 'drizzle-orm';
import type {
  AgentNudge,
  GatewayLeadBroadcastBoardResult,
  GatewayLeadMessageRequest,
  GatewayLeadMessageResponse,
  GatewayMainAskUserRequest,
  GatewayMainAskUserResponse,
} from '../contract/agent-messaging.js';
import { agents, boardMemory, boards, type AgentRow, type BoardRow } from '../db/schema.js';
import { enqueueAgentMessage, recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { forbidden, notFound } from '../errors.js';
import { rowid } from '../core/paging.js';
import type { Actor } from './actor.js';
import { sessionKeys, type AgentService } from './agents.js';
import type { BoardService } from './boards.js';
import { askUserChatText, askUserText, leadMessageText, nudgeText } from './agent-messaging-texts.js';

/*
 * Who may message whom (the web edition's rules, enforced from the caller's token, never its body):
 *   - nudge: the lead of the board in the path → an agent of that board;
 *   - ask-user: the lead of the board in the path → the user (board chat) and the gateway's main agent;
 *   - lead message / broadcast: the main agent of a gateway → the leads of that gateway's boards.
 * Every message is written to the durable outbox in the same transaction as its activity row, and the
 * gateway dispatcher delivers it with `chat.send` and its retries (backend/lifecycle/message-dispatcher.ts),
 * recording `<kind>.notified` / `<kind>.notify_failed`. Each request is one bounded body and, for a
 * broadcast, one row per board of the caller's gateway: linear in what the caller sends and owns.
 */

/** Outbox kinds (the dispatcher records `<kind>.notified` / `<kind>.notify_failed`). */
export const MESSAGE_KINDS = {
  nudge: 'agent.nudge',
  askUser: 'gateway.lead.ask_user',
  leadMessage: 'gateway.main.lead_message',
  leadBroadcast: 'gateway.main.lead_broadcast',
} as const;

const ONLY_LEADS = 'Only board leads can perform this action';
const ONLY_GATEWAY_MAIN = 'Only the dedicated gateway agent may call this endpoint.';

export interface MessagingDeps {
  baseUrl: string;
  agents: AgentService;
  boards: BoardService;
}

export function createAgentMessaging(ctx: ServiceContext, deps: MessagingDeps) {
  const { db } = ctx;
  const log = ctx.logger.child('messaging');

  /** The board in the path, and the caller as its lead: 404 for no board, 403 for another board or a non-lead. */
  function requireBoardLead(actor: Actor, boardId: string): { lead: AgentRow; board: BoardRow } {
    const board = deps.boards.accessible(actor, boardId);
    if (actor.kind !== 'agent') throw forbidden(ONLY_LEADS);
    const lead = actor.agent;
    if (!lead.isBoardLead || lead.boardId !== board.id) throw forbidden(ONLY_LEADS);
    return { lead, board };
  }

  function logQueued(kind: string, fields: Record<string, unknown>): void {
    log.info('messaging.queued', 'an agent message was queued for delivery', { kind, ...fields });
  }

  return {
    /** The caller as its gateway's main agent (no board, the gateway's main session), else 403. */
    requireGatewayMain(actor: Actor): AgentRow {
      if (actor.kind !== 'agent') throw forbidden(ONLY_GATEWAY_MAIN);
      const agent = actor.agent;
      if (agent.boardId !== null || agent.openclawSessionId !== sessionKeys.main(agent.gatewayId)) throw forbidden(ONLY_GATEWAY_MAIN);
      return agent;
    },

    /** A board of the main agent's gateway: 404 when there is none, 403 when it is on another gateway. */
    gatewayBoard(main: AgentRow, boardId: string): BoardRow {
      const board = deps.boards.getRow(boardId);
      if (board.gatewayId !== main.gatewayId)
        throw forbidden({
          message: 'This board is not on your gateway; you may message only the leads of your own gateway’s boards.',
          code: 'board_not_on_gateway',
        });
      return board;
    },

    /** The boards a broadcast goes to: the gateway's, newest first, only `boardIds` when given (others are left out). */
    broadcastBoards(main: AgentRow, boardIds: readonly string[] | null | undefined): BoardRow[] {
      const only = boardIds ? [...new Set(boardIds)] : undefined;
      if (only && only.length === 0) return [];
      return db
        .select()
        .from(boards)
        .where(and(eq(boards.gatewayId, main.gatewayId), only ? inArray(boards.id, only) : undefined))
        .orderBy(desc(boards.createdAt), desc(rowid(boards)))
        .all();
    },

    leadOf(boardId: string): AgentRow | undefined {
      return db
        .select()
        .from(agents)
        .where(and(eq(agents.boardId, boardId), eq(agents.isBoardLead, true)))
        .get();
    },

    /** A lead nudges one agent of its own board (`deliver: true`, as in the web edition). */
    nudge(actor: Actor, boardId: string, agentId: string, input: AgentNudge): { ok: true } {
      const { lead, board } = requireBoardLead(actor, boardId);
      const target = db.select().from(agents).where(eq(agents.id, agentId)).get();
      if (!target || target.boardId !== board.id) throw notFound('Agent');
      const now = ctx.now();
      db.transaction((tx) => {
        enqueueAgentMessage(tx, now, {
          agentId: target.id,
          kind: MESSAGE_KINDS.nudge,
          message: nudgeText(deps.baseUrl, board, lead, input.message),
          deliver: true,
          boardId: board.id,
        });
        recordActivity(tx, now, {
          eventType: 'agent.nudge.sent',
          message: `Nudge sent to ${target.name}.`,
          agentId: lead.id,
          boardId: board.id,
        });
      });
      logQueued(MESSAGE_KINDS.nudge, { board_id: board.id, actor_agent_id: lead.id, target_agent_id: target.id });
      return { ok: true };
    },

    /**
     * A lead asks the user. The user is in this app, so the question goes to the board chat (authored by
     * the lead; the user's answer there reaches the lead through the chat fan-out), and, as in the web
     * edition, to the gateway's main agent, which may also reach the user on its own channels.
     */
    askUser(actor: Actor, boardId: string, input: GatewayMainAskUserRequest): GatewayMainAskUserResponse {
      const { lead, board } = requireBoardLead(actor, boardId);
      const main = board.gatewayId ? deps.agents.mainAgentOf(board.gatewayId) : undefined;
      const now = ctx.now();
      db.transaction((tx) => {
        tx.insert(boardMemory)
          .values({
            id: newId(),
            boardId: board.id,
            content: askUserChatText(lead, input),
            tags: ['chat', 'ask_user'],
            isChat: true,
            source: lead.name,
            author: 'agent',
            authorAgentId: lead.id,
            createdAt: now,
          })
          .run();
        if (main) {
          enqueueAgentMessage(tx, now, {
            agentId: main.id,
            kind: MESSAGE_KINDS.askUser,
            message: askUserText(deps.baseUrl, board, lead, input),
            deliver: true,
            boardId: board.id,
          });
        }
        recordActivity(tx, now, {
          eventType: 'gateway.lead.ask_user.sent',
          message: `Lead requested user info via gateway agent for board: ${board.name}.`,
          agentId: lead.id,
          boardId: board.id,
        });
      });
      logQueued(MESSAGE_KINDS.askUser, { board_id: board.id, actor_agent_id: lead.id, target_agent_id: main?.id ?? null });
      return { ok: true, board_id: board.id, main_agent_id: main?.id ?? null, main_agent_name: main?.name ?? null };
    },

    /** The main agent's message to one board's lead (`deliver: false`, as in the web edition). */
    messageLead(
      main: AgentRow,
      board: BoardRow,
      lead: AgentRow,
      leadCreated: boolean,
      input: GatewayLeadMessageRequest,
    ): GatewayLeadMessageResponse {
      const now = ctx.now();
      db.transaction((tx) => {
        enqueueAgentMessage(tx, now, {
          agentId: lead.id,
          kind: MESSAGE_KINDS.leadMessage,
          message: leadMessageText(deps.baseUrl, board, main, input),
          boardId: board.id,
        });
        recordActivity(tx, now, {
          eventType: 'gateway.main.lead_message.sent',
          message: `Sent ${input.kind} to lead for board: ${board.name}.`,
          agentId: main.id,
          boardId: board.id,
        });
      });
      logQueued(MESSAGE_KINDS.leadMessage, {
        board_id: board.id,
        actor_agent_id: main.id,
        target_agent_id: lead.id,
        lead_created: leadCreated,
      });
      return { ok: true, board_id: board.id, lead_agent_id: lead.id, lead_agent_name: lead.name, lead_created: leadCreated };
    },

    /** One board's part of a broadcast: queued for its lead, answered as that board's result. */
    queueBroadcast(main: AgentRow, board: BoardRow, lead: AgentRow, input: GatewayLeadMessageRequest): GatewayLeadBroadcastBoardResult {
      enqueueAgentMessage(db, ctx.now(), {
        agentId: lead.id,
        kind: MESSAGE_KINDS.leadBroadcast,
        message: leadMessageText(deps.baseUrl, board, main, input),
        boardId: board.id,
      });
      return { board_id: board.id, lead_agent_id: lead.id, lead_agent_name: lead.name, ok: true, error: null };
    },

    /** The broadcast's one activity row (the web edition's) and log line, after every board was tried. */
    recordBroadcast(main: AgentRow, kind: string, sent: number, failed: number): void {
      recordActivity(db, ctx.now(), {
        eventType: 'gateway.main.lead_broadcast.sent',
        message: `Broadcast ${kind} to ${sent} board leads (failed: ${failed}).`,
        agentId: main.id,
      });
      logQueued(MESSAGE_KINDS.leadBroadcast, { actor_agent_id: main.id, sent, failed });
    },
  };
}

export type AgentMessaging = ReturnType<typeof createAgentMessaging>;
