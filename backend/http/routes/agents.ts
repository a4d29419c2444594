import { forbidden } from '../../errors.js';
import { requireAgent } from '../../services/actor.js';
import type { Services } from '../../services/index.js';
import type { HandlerGroup } from '../handlers.js';

type AgentRoutes =
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
    listAgents: ({ query }) => s.agents.list(query),
    createAgent: ({ body }) => s.agents.create(body),
    getAgent: ({ params }) => s.agents.get(params.agent_id),
    updateAgent: ({ params, body }) => s.agents.update(params.agent_id, body),
    deleteAgent: ({ params }) => {
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
    agentCreateAgent: ({ actor, body }) => s.agents.createByLead(requireAgent(actor), body),
    agentDeleteAgent: ({ actor, params }) => {
      s.agents.deleteByLead(requireAgent(actor), params.board_id, params.agent_id);
      return { ok: true };
    },
  };
}
