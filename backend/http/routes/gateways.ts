import { AppError } from '../../errors.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

type GatewayRoutes =
  | 'listGateways'
  | 'createGateway'
  | 'getGateway'
  | 'updateGateway'
  | 'deleteGateway'
  | 'testGateway'
  | 'discoverGateway'
  | 'gatewaysStatus'
  | 'gatewayStatus';

export function gatewayHandlers(s: Services): HandlerGroup<GatewayRoutes> {
  return {
    listGateways: ({ query }) => s.gateways.list(query),
    createGateway: async ({ body }) => {
      const gateway = await s.gateways.create(body);
      // The main agent is provisioned right away; its record tells how it went. With a gateway saved
      // offline this fails fast, counts as an attempt, and the ladder takes it from there.
      if (gateway.main_agent_id) await s.provisioner.tryProvision(gateway.main_agent_id, { action: 'provision', wake: true });
      return s.gateways.get(gateway.id);
    },
    getGateway: ({ params }) => s.gateways.get(params.gateway_id),
    updateGateway: ({ params, body }) => s.gateways.update(params.gateway_id, body),
    deleteGateway: async ({ params, query }) => ({
      ok: true,
      agents: await s.teardown.deleteGateway(params.gateway_id, query.force ?? false),
    }),
    testGateway: ({ body }) => s.gateways.test(body),
    discoverGateway: () => s.gateways.discover(),
    gatewaysStatus: ({ query }) => {
      const gatewayId = query.gateway_id ?? (query.board_id ? s.boards.getRow(query.board_id).gatewayId : undefined);
      if (!gatewayId)
        throw new AppError('validation_failed', { message: 'Give gateway_id, or a board_id whose board has a gateway.', loc: ['query'] });
      return s.gateways.status(gatewayId);
    },
    gatewayStatus: ({ params }) => s.gateways.status(params.gateway_id),
  };
}
