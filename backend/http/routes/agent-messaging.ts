import type { GatewayLeadBroadcastBoardResult } from '../../contract/agent-messaging.js';
import type { AgentRow, BoardRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

type MessagingRoutes = 'agentNudgeAgent' | 'agentAskUserViaGatewayMain' | 'agentMainMessageBoardLead' | 'agentMainBroadcastLeadMessage';

/**
 * The board's lead; when it has none, one is created and provisioned first, as the web edition does
 * for a main agent's message (`lead_created`). Two callers racing for the same board: the loser finds
 * the winner's lead.
 */
async function ensureLead(s: Services, board: BoardRow): Promise<{ lead: AgentRow; created: boolean }> {
  const existing = s.messaging.leadOf(board.id);
  if (existing) return { lead: existing, created: false };
  let id: string;
  try {
    id = s.agents.create({
      name: `${board.name} Lead`,
      board_id: board.id,
      is_board_lead: true,
      identity_profile: { role: 'Board Lead', communication_style: 'direct, concise, practical', emoji: ':gear:' },
    }).id;
  } catch (err) {
    const raced = s.messaging.leadOf(board.id);
    if (raced) return { lead: raced, created: false };
    throw err;
  }
  // A provisioning failure is on the agent's record (last_provision_error); the message waits in the outbox.
  await s.provisioner.tryProvision(id, { action: 'provision', wake: true });
  s.ctx.logger.child('messaging').info('messaging.lead_created', 'a board lead was created for a gateway main agent’s message', {
    board_id: board.id,
    lead_agent_id: id,
  });
  return { lead: s.agents.getRow(id), created: true };
}

export function agentMessagingHandlers(s: Services): HandlerGroup<MessagingRoutes> {
  return {
    agentNudgeAgent: ({ actor, params, body }) => s.messaging.nudge(actor, params.board_id, params.agent_id, body),
    agentAskUserViaGatewayMain: ({ actor, params, body }) => s.messaging.askUser(actor, params.board_id, body),
    agentMainMessageBoardLead: async ({ actor, params, body }) => {
      const main = s.messaging.requireGatewayMain(actor);
      const board = s.messaging.gatewayBoard(main, params.board_id);
      const { lead, created } = await ensureLead(s, board);
      return s.messaging.messageLead(main, board, lead, created, body);
    },
    agentMainBroadcastLeadMessage: async ({ actor, body }) => {
      const main = s.messaging.requireGatewayMain(actor);
      const results: GatewayLeadBroadcastBoardResult[] = [];
      for (const board of s.messaging.broadcastBoards(main, body.board_ids)) {
        try {
          const { lead } = await ensureLead(s, board);
          results.push(s.messaging.queueBroadcast(main, board, lead, body));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ board_id: board.id, lead_agent_id: null, lead_agent_name: null, ok: false, error: err.message });
        }
      }
      const sent = results.filter((r) => r.ok).length;
      s.messaging.recordBroadcast(main, body.kind, sent, results.length - sent);
      return { ok: true, sent, failed: results.length - sent, results };
    },
  };
}
