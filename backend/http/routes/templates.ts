import type { Services } from '../../services/index.js';
import type { HandlerGroup } from '../handlers.js';

export function templateHandlers(s: Services): HandlerGroup<'syncGatewayTemplates' | 'gatewayTemplateDrift'> {
  return {
    syncGatewayTemplates: ({ params, query }) => s.templateSync.sync(params.gateway_id, query),
    gatewayTemplateDrift: ({ params, query }) => s.templateSync.drift(params.gateway_id, query),
  };
}
