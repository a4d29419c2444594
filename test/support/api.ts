import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { agents } from '../../backend/db/schema.js';
import { startBackend, type BackendConfigInput, type RunningBackend, type StartOptions } from '../../backend/index.js';

export interface TestApi {
  backend: RunningBackend;
  url: string;
  dataDir: string;
  /** A supertest request as the local user. */
  user: (method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => supertest.Test;
  /** A supertest request as an agent with this raw token. */
  agent: (token: string, method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => supertest.Test;
  raw: () => ReturnType<typeof supertest>;
  /** Stop the backend; the data dir is kept unless `remove` is true. */
  stop: (remove?: boolean) => Promise<void>;
}

/**
 * A real backend on a real temp SQLite file (migrations applied), on a free loopback port.
 * Responses are validated against the contract, so a handler that drifts fails the test.
 */
export async function startTestApi(overrides: Partial<BackendConfigInput> = {}, options: StartOptions = {}): Promise<TestApi> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'mc-test-'));
  const backend = await startBackend(
    {
      port: 0,
      logLevel: 'warn',
      logToStdout: false,
      validateResponses: true,
      ...overrides,
      dataDir,
    },
    options,
  );
  const http = supertest(backend.url);
  return {
    backend,
    url: backend.url,
    dataDir,
    raw: () => http,
    user: (method, path) => http[method](path).set('Authorization', `Bearer ${backend.localToken}`),
    agent: (token, method, path) => http[method](path).set('X-Agent-Token', token),
    stop: async (remove = true) => {
      await backend.stop();
      if (remove) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `startTestApi` as the suite's hooks: started before the suite's tests, stopped (data dir removed)
 * after them. The answer forwards to the running backend, so `fixtures(api)` can be built at once.
 */
export function useTestApi(overrides: Partial<BackendConfigInput> = {}, options: StartOptions = {}): TestApi {
  let started: TestApi | undefined;
  beforeAll(async () => {
    started = await startTestApi(overrides, options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): TestApi => {
    if (!started) throw new Error('useTestApi: the backend starts in beforeAll; use it inside a test');
    return started;
  };
  return {
    get backend() {
      return current().backend;
    },
    get url() {
      return current().url;
    },
    get dataDir() {
      return current().dataDir;
    },
    raw: () => current().raw(),
    user: (method, path) => current().user(method, path),
    agent: (token, method, path) => current().agent(token, method, path),
    stop: (remove) => current().stop(remove),
  };
}

/** A loopback address where no gateway listens. */
export const OFFLINE_GATEWAY_URL = 'ws://127.0.0.1:9';

let counter = 0;
const unique = (prefix: string) => `${prefix} ${++counter}-${Math.random().toString(36).slice(2, 7)}`;

/** Builders that go through the public API (no back doors into the database). */
export function fixtures(api: TestApi) {
  /**
   * A gateway record for API tests that need none running: nothing listens on port 9 (discard),
   * so the connection check finds it unreachable and `allow_offline` saves it anyway. Tests of
   * real gateway behaviour are in test/integration, against the real OpenClaw gateway.
   */
  async function gateway(body: Record<string, unknown> = {}) {
    const res = await api
      .user('post', '/api/v1/gateways')
      .send({ name: unique('Gateway'), url: OFFLINE_GATEWAY_URL, allow_offline: true, ...body })
      .expect(200);
    return res.body as { id: string; main_agent_id: string };
  }
  async function board(body: Record<string, unknown> = {}) {
    const gatewayId = (body.gateway_id as string | undefined) ?? (await gateway()).id;
    const res = await api
      .user('post', '/api/v1/boards')
      .send({ name: unique('Board'), description: 'A test board', gateway_id: gatewayId, create_lead: false, ...body })
      .expect(200);
    return res.body as { id: string; gateway_id: string } & Record<string, unknown>;
  }
  /** An agent record plus a freshly minted token for it. */
  async function agent(boardId: string, body: Record<string, unknown> = {}) {
    const res = await api
      .user('post', '/api/v1/agents')
      .send({ name: unique('Agent'), board_id: boardId, ...body })
      .expect(200);
    const token = await api.user('post', `/api/v1/agents/${res.body.id}/token`).expect(200);
    return { ...(res.body as { id: string; name: string }), token: token.body.token as string };
  }
  async function tokenFor(agentId: string) {
    const res = await api.user('post', `/api/v1/agents/${agentId}/token`).expect(200);
    return res.body.token as string;
  }
  /**
   * A board for task tests (room for 5 agents, `rules` on top) with its lead, the user's and the
   * agents' task URLs, a task maker and an agent's outbox. Tests add the workers they need.
   */
  async function taskBoard(rules: Record<string, unknown> = {}) {
    const created = await board({ max_agents: 5, ...rules });
    const lead = await agent(created.id, { is_board_lead: true });
    const base = `/api/v1/boards/${created.id}/tasks`;
    const agentBase = `/api/v1/agent/boards/${created.id}/tasks`;
    const task = async (body: Record<string, unknown> = {}) =>
      (
        await api
          .user('post', base)
          .send({ title: unique('Task'), ...body })
          .expect(200)
      ).body as { id: string; title: string };
    const outbox = (agentId: string) => api.backend.services.tasks.outboxFor(agentId);
    return { board: created, lead, base, agentBase, task, outbox };
  }
  /** A gateway, a board on it with one agent, and the board paused from its chat (`/pause`). */
  async function pausedBoard() {
    const onGateway = await gateway();
    const paused = await board({ gateway_id: onGateway.id });
    const member = await agent(paused.id);
    await api
      .user('post', `/api/v1/boards/${paused.id}/memory`)
      .send({ content: '/pause', tags: ['chat'] })
      .expect(200);
    return { gateway: onGateway, board: paused, agent: member };
  }
  return { gateway, board, agent, tokenFor, unique, taskBoard, pausedBoard };
}

/**
 * Fault injection: writes an agent's row directly, for a state the API cannot produce on demand (mid-ladder,
 * offline after the ladder gave up, an update in progress). Everything else goes through the API.
 */
export function injectAgentRow(api: TestApi, agentId: string, values: Partial<typeof agents.$inferInsert>): void {
  api.backend.services.ctx.db.update(agents).set(values).where(eq(agents.id, agentId)).run();
}

/** A clock tests move by hand, for the lifecycle's time rules. */
export function manualClock(start = new Date('2026-11-21T12:00:00.000Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}
