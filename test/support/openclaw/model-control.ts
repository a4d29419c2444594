import type { AgentScript, ModelRequest, ScriptStep } from './scripted-model.js';

export { checkIn, findCheckInCommand, modelError, reply, tokenInCommand, toolCall, withToken } from './scripted-model.js';
export type {
  AgentScript,
  CheckInBehaviour,
  CheckInRecord,
  CheckInStep,
  ModelErrorStep,
  ModelRequest,
  ScriptStep,
} from './scripted-model.js';

/*
 * The scripted model lives in vitest's global-setup process; test files run in workers, so they steer
 * it over HTTP rather than through the object returned by startScriptedModel().
 */
export interface ModelControl {
  setScript(agentId: string, script: ScriptStep | AgentScript | null): Promise<void>;
  /**
   * Scripts every agent whose gateway id matches `pattern` and has no script of its own (the latest
   * matching pattern wins); null removes it. For agents created by Mission Control, whose gateway id
   * (`mc-<uuid>`) is known only once they exist — and which are woken during creation.
   */
  setPatternScript(pattern: RegExp, script: ScriptStep | AgentScript | null): Promise<void>;
  requests(agentId: string): Promise<ModelRequest[]>;
  /** Polls until `agentId` has at least `count` logged requests matching `match`. */
  waitForRequests(agentId: string, match?: (request: ModelRequest) => boolean, count?: number, timeoutMs?: number): Promise<ModelRequest[]>;
  reset(): Promise<void>;
}

/** Turns the model saw (tool-result follow-ups excluded) and check-in tool calls it issued. */
export interface CheckInSummary {
  heartbeatTurns: number;
  chatTurns: number;
  checkInsIssued: number;
  /** The commands of the issued check-ins, in order. */
  commands: string[];
}

export function summarizeCheckIns(requests: ModelRequest[]): CheckInSummary {
  const turns = requests.filter((r) => !r.afterTool);
  const issued = requests.filter((r) => r.checkIn?.issued === true);
  return {
    heartbeatTurns: turns.filter((r) => r.heartbeat).length,
    chatTurns: turns.filter((r) => !r.heartbeat).length,
    checkInsIssued: issued.length,
    commands: issued.map((r) => r.checkIn?.command ?? ''),
  };
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
    async setPatternScript(pattern, script) {
      await call('POST', '/__control/pattern', { pattern: pattern.source, flags: pattern.flags, script });
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
