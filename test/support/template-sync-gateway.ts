import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { startTestApi, type TestApi } from './api.js';
import { rawRpc } from './openclaw/gateway.js';
import { checkIn, modelControl } from './openclaw/model-control.js';
import { until } from './until.js';

/*
 * The shared setup of the template-sync integration tests (template-sync*.test.ts): a backend on the
 * real gateway with one board, obedient scripted workers, and the sync and drift calls. `api`,
 * `gatewayId` and `boardId` are live bindings, set once `useSyncGateway()`'s beforeAll has run.
 * Gateway state is read and edited with an independent raw client.
 */

export const DEADLINE_S = 20;
export const gatewayUrl = inject('gatewayUrl');
export const gatewayToken = inject('gatewayToken');
export const model = modelControl(inject('modelUrl'));
export const suffix = randomBytes(3).toString('hex');
export const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
export const fileOnGateway = async (agentId: string, name: string) =>
  (await gw<{ file: { content?: string; missing?: boolean } }>('agents.files.get', { agentId, name })).file;
export const workspaceToken = async (key: string) => tokenFromAgentsFile((await fileOnGateway(key, 'AGENTS.md')).content ?? '');

export let api: TestApi;
export let gatewayId: string;
export let boardId: string;
export const created: string[] = [];

export interface Agent {
  id: string;
  status: string;
  last_seen_at: string | null;
}
export const getAgent = async (id: string): Promise<Agent> => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body as Agent;

/** An obedient worker (runs the check-in command from its AGENTS.md), created and checked in. */
export async function obedientWorker(name: string, board = boardId): Promise<{ id: string; key: string }> {
  await model.setPatternScript(/^mc-(?!gateway-)/, checkIn.obedient());
  const res = await api
    .user('post', '/api/v1/agents')
    .send({ name: `${name} ${suffix}`, board_id: board })
    .expect(200);
  const id = res.body.id as string;
  created.push(id);
  await model.setScript(`mc-${id}`, checkIn.obedient());
  await model.setPatternScript(/^mc-(?!gateway-)/, null);
  await until(`${name} checks in`, async () => (await getAgent(id)).last_seen_at !== null, (DEADLINE_S * 2 + 20) * 1000);
  return { id, key: `mc-${id}` };
}

export const sync = (query: string, status = 200) =>
  api.user('post', `/api/v1/gateways/${gatewayId}/templates/sync?${query}`).expect(status);
export const drift = (query = '') => api.user('get', `/api/v1/gateways/${gatewayId}/templates/drift?${query}`).expect(200);
/** What the backend remembers about this agent's drift (GET /api/v1/template-drift: no gateway read). */
export const rememberedOf = async (id: string) => {
  const res = await api.user('get', `/api/v1/template-drift?gateway_id=${gatewayId}`).expect(200);
  return (
    res.body.items[0].agents as { agent_id: string; state: string; files: string[]; checked_at: string | null; source: string }[]
  ).find((a) => a.agent_id === id);
};
export const heartbeat = (token: string) => api.agent(token, 'post', '/api/v1/agent/heartbeat');
export type SyncEntry = {
  agent_id: string;
  outcome: string;
  token: string | null;
  token_rotated: boolean;
  files_written: string[];
  files_kept: string[];
  verify: { checked_in: boolean } | null;
};
export const entryOf = (body: { agents: SyncEntry[] }, id: string) => body.agents.find((a) => a.agent_id === id);
export type DriftFile = { name: string; status: string; preserved: boolean; diff: string | null };
export const driftOf = (body: { agents: { agent_id: string; token: string | null; files: DriftFile[] }[] }, id: string) => {
  const agent = body.agents.find((a) => a.agent_id === id);
  if (!agent) throw new Error(`agent ${id} not in the drift report`);
  return { token: agent.token, files: Object.fromEntries(agent.files.map((f) => [f.name, f])) as Record<string, DriftFile> };
};

/** Registers the suite's setup: a backend with the gateway and a board added, and the cleanup. */
export function useSyncGateway(): void {
  beforeAll(async () => {
    api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
    const gateway = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Sync ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200);
    gatewayId = gateway.body.id;
    const board = await api
      .user('post', '/api/v1/boards')
      .send({ name: `Sync board ${suffix}`, description: 'Template sync', gateway_id: gatewayId, create_lead: false })
      .expect(200);
    boardId = board.body.id;
  }, 120_000);

  afterAll(async () => {
    for (const id of created) {
      await model.setScript(`mc-${id}`, null);
      await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
    }
    await api?.stop();
  }, 60_000);
}

/** A test that restarts the app hands the new backend over, so the cleanup and the helpers use it. */
export function replaceApi(next: TestApi): void {
  api = next;
}
