import type { AgentScript, ModelRequest, ScriptStep } from './scripted-model.js';

export { reply, toolCall } from './scripted-model.js';
export type { AgentScript, ModelRequest, ScriptStep } from './scripted-model.js';

/*
 * The scripted model lives in vitest's global-setup process; test files run in workers, so they steer
 * it over HTTP rather than through the object returned by startScriptedModel().
 */
export interface ModelControl {
  setScript(agentId: string, script: ScriptStep | AgentScript | null): Promise<void>;
  requests(agentId: string): Promise<ModelRequest[]>;
  /** Polls until `agentId` has at least `count` logged requests matching `match`. */
  waitForRequests(agentId: string, match?: (request: ModelRequest) => boolean, count?: number, timeoutMs?: number): Promise<ModelRequest[]>;
  reset(): Promise<void>;
}

export function modelControl(modelUrl: string): ModelControl {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(new URL(path, modelUrl), {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`scripted model ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const requests = async (agentId: string): Promise<ModelRequest[]> =>
    (await call('GET', `/__control/requests?agent=${encodeURIComponent(agentId)}`)) as ModelRequest[];

  return {
    async setScript(agentId, script) {
      await call('POST', '/__control/script', { agentId, script });
    },
    requests,
    async waitForRequests(agentId, match = () => true, count = 1, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await requests(agentId)).filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline)
          throw new Error(`scripted model: ${found.length}/${count} matching requests for ${agentId} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async reset() {
      await call('POST', '/__control/reset');
    },
  };
}
