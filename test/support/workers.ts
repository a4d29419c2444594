import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { startTestApi, type TestApi } from './api.js';
import type { ModelControl, ScriptStep } from './openclaw/model-control.js';
import { until } from './until.js';

/*
 * What the ladder tests share: a board on a gateway, worker agents with a scripted behaviour, and
 * polling until something holds. Workers are `mc-<uuid>` on the gateway; the gateway's main agent
 * (`mc-gateway-<uuid>`) is left alone.
 */

/** The shared polling helper, for the suites that import it from here. */
export { until };

export const WORKERS = /^mc-(?!gateway-)/;

/** Saves the gateway and a board on it (no lead); returns their ids. */
export async function boardOnGateway(
  api: TestApi,
  gateway: { url: string; token: string | null; name: string },
  board: { name: string; description?: string },
): Promise<{ gatewayId: string; boardId: string }> {
  const gw = await api.user('post', '/api/v1/gateways').send({ name: gateway.name, url: gateway.url, token: gateway.token }).expect(200);
  const created = await api
    .user('post', '/api/v1/boards')
    .send({ name: board.name, description: board.description ?? 'd', gateway_id: gw.body.id, create_lead: false })
    .expect(200);
  return { gatewayId: gw.body.id as string, boardId: created.body.id as string };
}

/**
 * Creates a worker with `behaviour` in place (Mission Control provisions and wakes it inside the POST),
 * then pins the behaviour to it so a later test's pattern does not change it.
 */
export async function createWorker(
  api: TestApi,
  model: ModelControl,
  boardId: string,
  name: string,
  behaviour: ScriptStep,
): Promise<{ id: string; key: string }> {
  await model.setPatternScript(WORKERS, behaviour);
  const res = await api.user('post', '/api/v1/agents').send({ name, board_id: boardId }).expect(200);
  const id = res.body.id as string;
  await model.setScript(`mc-${id}`, behaviour);
  return { id, key: `mc-${id}` };
}

/** Takes test workers off the shared gateway: their scripts and their agents (errors ignored). */
export async function removeWorkers(api: TestApi | undefined, model: ModelControl, ids: string[]): Promise<void> {
  for (const id of ids) {
    await model.setScript(`mc-${id}`, null);
    await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
  }
}

/**
 * The setup every ladder suite repeats, registered as vitest hooks: a backend at `deadlineSeconds` × 3
 * wakes, the suite's gateway and a board on it; each test's pattern script cleared after it; the
 * suite's workers removed at the end. `worker(behaviour)` creates a named worker and tracks it.
 */
export function useWorkerBoard(label: string, deadlineSeconds: number, model: ModelControl) {
  const suffix = randomBytes(3).toString('hex');
  const created: string[] = [];
  let api: TestApi | undefined;
  let boardId = '';
  let counter = 0;

  beforeAll(async () => {
    api = await startTestApi({ checkinDeadlineSeconds: deadlineSeconds, maxWakeAttempts: 3 });
    ({ boardId } = await boardOnGateway(
      api,
      { name: `${label} ${suffix}`, url: inject('gatewayUrl'), token: inject('gatewayToken') },
      { name: `${label} board ${suffix}`, description: label },
    ));
  });
  afterEach(async () => {
    await model.setPatternScript(WORKERS, null);
  });
  afterAll(async () => {
    await removeWorkers(api, model, created);
    await api?.stop();
  });

  const started = (): TestApi => {
    if (!api) throw new Error('useWorkerBoard: the backend is not started yet (use it inside a test)');
    return api;
  };
  return {
    get api(): TestApi {
      return started();
    },
    async worker(behaviour: ScriptStep): Promise<{ id: string; key: string }> {
      const w = await createWorker(started(), model, boardId, `${label} ${suffix} ${++counter}`, behaviour);
      created.push(w.id);
      return w;
    },
  };
}
