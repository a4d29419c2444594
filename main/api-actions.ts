import { ApiError, createRouteClient } from '../backend/contract/client.js';
import { ROUTES, type RouteName } from '../backend/contract/routes.js';

/*
 * Tray actions that change things go through the HTTP API with the local token — the same doors
 * the UI and scripts use, with the same validation, locks and logs — never around them.
 */

export interface ActionResult {
  ok: boolean;
  status: number;
  /** A short reason when not ok (the API's `detail`, or the network error). */
  detail: string | null;
}

export interface ApiActions {
  /** `POST /api/v1/gateways/{id}/templates/sync` (optionally rotating every agent's token). */
  syncTemplates(gatewayId: string, options?: { rotateTokens?: boolean }): Promise<ActionResult>;
  /** `POST /api/v1/agents/{id}/wake`: a new check-in cycle. */
  wakeAgent(agentId: string): Promise<ActionResult>;
}

export function createApiActions(options: { baseUrl: string; token: string; fetch?: typeof fetch }): ApiActions {
  // The tray reports only whether an action happened, so it does not read the answer's body.
  const call = createRouteClient({ baseUrl: options.baseUrl, getToken: () => options.token, fetch: options.fetch, parseAnswers: false });

  async function outcome(route: RouteName, request: () => Promise<unknown>): Promise<ActionResult> {
    try {
      await request();
      return { ok: true, status: (ROUTES[route] as { status?: number }).status ?? 200, detail: null };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, status: err.status, detail: err.message || `HTTP ${err.status}` };
      return { ok: false, status: 0, detail: (err as Error).message };
    }
  }

  return {
    syncTemplates(gatewayId, sync = {}) {
      return outcome('syncGatewayTemplates', () =>
        call('syncGatewayTemplates', { params: { gateway_id: gatewayId }, query: sync.rotateTokens ? { rotate_tokens: 'true' } : {} }),
      );
    },
    wakeAgent(agentId) {
      return outcome('wakeAgent', () => call('wakeAgent', { params: { agent_id: agentId } }));
    },
  };
}
