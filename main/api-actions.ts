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

/** The web edition's `detail`: a string, an object with a message, or a list of field errors. */
function describeDetail(detail: unknown): string | null {
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail === 'object' && 'message' in detail && typeof detail.message === 'string') return detail.message;
  if (Array.isArray(detail)) return `${detail.length} invalid field(s)`;
  return null;
}

export function createApiActions(options: { baseUrl: string; token: string; fetch?: typeof fetch }): ApiActions {
  const doFetch = options.fetch ?? fetch;

  async function post(path: string): Promise<ActionResult> {
    try {
      const res = await doFetch(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
      });
      if (res.ok) return { ok: true, status: res.status, detail: null };
      const body = (await res.json().catch(() => null)) as { detail?: unknown } | null;
      return { ok: false, status: res.status, detail: describeDetail(body?.detail) ?? `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, status: 0, detail: (err as Error).message };
    }
  }

  return {
    syncTemplates(gatewayId, sync = {}) {
      const query = sync.rotateTokens ? '?rotate_tokens=true' : '';
      return post(`/api/v1/gateways/${encodeURIComponent(gatewayId)}/templates/sync${query}`);
    },
    wakeAgent(agentId) {
      return post(`/api/v1/agents/${encodeURIComponent(agentId)}/wake`);
    },
  };
}
