import type { Services } from '../../services/index.js';
import type { HandlerGroup } from '../handlers.js';

export function gatewayHandlers(s: Services): HandlerGroup<'listGateways' | 'createGateway' | 'getGateway' | 'updateGateway' | 'deleteGateway'> {
  return {
    listGateways: ({ query }) => s.gateways.list(query),
    createGateway: ({ body }) => s.gateways.create(body),
    getGateway: ({ params }) => s.gateways.get(params.gateway_id),
    updateGateway: ({ params, body }) => s.gateways.update(params.gateway_id, body),
    deleteGateway: ({ params }) => {
      s.gateways.delete(params.gateway_id);
      return { ok: true };
    },
  };
}
