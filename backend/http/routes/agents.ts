import { forbidden } from '../../errors.js';
import { GatewayError, asAppError, gatewayAppError } from '../../gateway/errors.js';
import { requireAgent } from '../../services/actor.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

type AgentRoutes =
  | 'wakeAgent'
  | 'reprovisionAgent'
  | 'agentLifecycle'
  | 'allowAgentCheckin'
  | 'listLogs'
  | 'listAgents'
  | 'createAgent'
  | 'getAgent'
  | 'updateAgent'
  | 'deleteAgent'
  | 'rotateAgentToken'
  | 'agentStatusHeartbeat'
  | 'agentNamedHeartbeat'
  | 'agentHealthz'
  | 'agentHeartbeat'
  | 'agentListAgents'
  | 'agentCreateAgent'
  | 'agentDeleteAgent';

export function agentHandlers(s: Services): HandlerGroup<AgentRoutes> {
  return {
    wakeAgent: async ({ params }) => {
      s.agents.getRow(params.agent_id);
      // Answers once the attempt is counted, never after the gateway: the outcome follows on the event stream.
      await s.wakeLadder.requestWake(params.agent_id);
      return s.agents.get(params.agent_id);
    },
    reprovisionAgent: async ({ params }) => {
      s.agents.getRow(params.agent_id);
      await s.wakeLadder.reprovision(params.agent_id);
      return s.agents.get(params.agent_id);
    },
    allowAgentCheckin: async ({ params }) => {
      s.agents.getRow(params.agent_id);
      try {
        await s.provisioner.allowCheckin(params.agent_id);
      } catch (err) {
        throw asAppError(err);
      }
      return s.agents.get(params.agent_id);
    },
    agentLifecycle: ({ params, query }) => ({
      agent: s.agents.get(params.agent_id),
      max_wake_attempts: s.ctx.policy.maxWakeAttempts,
      checkin_deadline_seconds: s.ctx.policy.checkinDeadlineMs / 1000,
      events: s.lifecycle.list({ agentId: params.agent_id, limit: query.limit, offset: query.offset }).items,
    }),
    listLogs: ({ query }) => s.lifecycle.list({ event: query.event, agentId: query.agent_id, limit: query.limit, offset: query.offset }),
    listAgents: ({ query }) => s.agents.list(query),
    createAgent: async ({ body }) => {
      const agent = s.agents.create(body);
      await s.provisioner.tryProvision(agent.id, { action: 'provision', wake: true });
      return s.agents.get(agent.id);
    },
    getAgent: ({ params }) => s.agents.get(params.agent_id),
    updateAgent: async ({ params, body }) => {
      s.agents.update(params.agent_id, body);
      await s.provisioner.tryProvision(params.agent_id, { action: 'update', wake: true, resetSession: true });
      return s.agents.get(params.agent_id);
    },
    deleteAgent: async ({ params, query }) => {
      await removeFromGateway(s, params.agent_id, query.force ?? false);
      s.agents.delete(params.agent_id);
      return { ok: true };
    },
    rotateAgentToken: ({ params }) => s.agents.rotateToken(params.agent_id),

    agentStatusHeartbeat: ({ actor, params, body }) => {
      if (actor.kind === 'agent' && actor.agent.id !== params.agent_id) throw forbidden('Agents may only send their own heartbeat.');
      const agent = actor.kind === 'agent' ? actor.agent : s.agents.getRow(params.agent_id);
      return s.agents.heartbeat(agent, body.status);
    },
    agentNamedHeartbeat: ({ actor, body }) => {
      const agent = requireAgent(actor);
      if (body.name.toLowerCase() !== agent.name.toLowerCase()) throw forbidden('Agents may only send their own heartbeat.');
      return s.agents.heartbeat(agent, body.status);
    },

    agentHealthz: ({ actor }) => {
      const agent = requireAgent(actor);
      return {
        ok: true,
        agent_id: agent.id,
        board_id: agent.boardId,
        gateway_id: agent.gatewayId,
        status: s.agents.read(agent).status,
        is_board_lead: agent.isBoardLead,
      };
    },
    agentHeartbeat: ({ actor }) => s.agents.heartbeat(requireAgent(actor)),
    agentListAgents: ({ actor, query }) => {
      const agent = requireAgent(actor);
      if (query.board_id && agent.boardId && query.board_id !== agent.boardId) {
        throw forbidden('Board agents can only list agents of their own board.');
      }
      return s.agents.list(query, s.agents.visibilityScope(agent));
    },
    agentCreateAgent: async ({ actor, body }) => {
      const agent = s.agents.createByLead(requireAgent(actor), body);
      await s.provisioner.tryProvision(agent.id, { action: 'provision', wake: true });
      return s.agents.get(agent.id);
    },
    agentDeleteAgent: async ({ actor, params }) => {
      const lead = requireAgent(actor);
      s.agents.assertLeadMayDelete(lead, params.board_id, params.agent_id);
      if (s.agents.exists(params.agent_id)) {
        await removeFromGateway(s, params.agent_id, false);
        s.agents.delete(params.agent_id);
      }
      return { ok: true };
    },
  };
}

/**
 * The gateway agent goes first (as in the web edition), so a record is never removed while its
 * agent keeps running unseen. `force` removes the record anyway, for a gateway that is gone.
 */
async function removeFromGateway(s: Services, agentId: string, force: boolean): Promise<void> {
  s.agents.getRow(agentId);
  try {
    await s.provisioner.removeFromGateway(agentId);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (force) return;
    throw gatewayAppError(err, {
      context: 'Gateway cleanup failed',
      alsoNextStep: 'Or delete with ?force=true to remove only the record (the agent then stays on the gateway until removed there).',
    });
  }
}
