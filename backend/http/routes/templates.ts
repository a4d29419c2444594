import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';

export function templateHandlers(s: Services): HandlerGroup<'syncGatewayTemplates' | 'gatewayTemplateDrift' | 'rememberedTemplateDrift'> {
  return {
    syncGatewayTemplates: ({ params, query }) => s.templateSync.sync(params.gateway_id, query),
    gatewayTemplateDrift: ({ params, query }) => s.templateSync.drift(params.gateway_id, query),
    rememberedTemplateDrift: ({ query }) => ({ items: s.driftMemory.status(query.gateway_id) }),
  };
}
