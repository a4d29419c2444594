import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../backend/contract/routes.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { tags: string[]; operationId: string; requestBody?: unknown; [k: string]: unknown }>>;
};

beforeAll(async () => {
  api = await startTestApi();
  doc = (await api.raw().get('/openapi.json').expect(200)).body;
});
afterAll(async () => {
  await api.stop();
});

const op = (method: string, path: string) => {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} missing from /openapi.json`);
  return found;
};

describe('/openapi.json (part of the agent contract)', () => {
  it('is served without auth and lists every route of the contract once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      Object.values(ROUTES)
        .map((r) => r.operationId)
        .sort(),
    );
  });

  it('names the URL agents use; with port 0 it follows the real port', () => {
    const servers = (doc as unknown as { servers: { url: string }[] }).servers;
    expect(servers).toEqual([{ url: `http://localhost:${api.backend.port}` }]);
    expect(api.backend.config.baseUrl).toBe(`http://localhost:${api.backend.port}`);
  });

  it('heartbeat has no request body and carries all three role tags', () => {
    const hb = op('post', '/api/v1/agent/heartbeat');
    expect(hb.requestBody).toBeUndefined();
    expect(hb.tags).toEqual(expect.arrayContaining(['agent-lead', 'agent-worker', 'agent-main']));
    expect(op('get', '/api/v1/agent/healthz').tags).toEqual(expect.arrayContaining(['agent-lead', 'agent-worker', 'agent-main']));
  });

  it('role tags match the web edition', () => {
    expect(op('post', '/api/v1/agent/boards/{board_id}/tasks').tags).toContain('agent-lead');
    expect(op('post', '/api/v1/agent/boards/{board_id}/tasks').tags).not.toContain('agent-worker');
    expect(op('get', '/api/v1/agent/boards/{board_id}/tasks').tags).toContain('agent-worker');
    for (const path of ['/api/v1/agent/boards', '/api/v1/agent/boards/{board_id}', '/api/v1/agent/agents']) {
      expect(op('get', path).tags).toContain('agent-main');
    }
  });

  it('agent tool endpoints carry x-llm hints, an operationId and an X-Agent-Token security scheme', () => {
    const agentOps = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/agent/'))
      .flatMap(([, methods]) => Object.values(methods));
    expect(agentOps.length).toBeGreaterThan(15);
    for (const o of agentOps) {
      expect(o['x-llm-intent'], o.operationId).toEqual(expect.any(String));
      // Lists as the web edition gives them (its templates' jq joins them); every operation has a description.
      for (const key of ['x-when-to-use', 'x-prerequisites', 'x-routing-policy', 'x-negative-guidance', 'x-side-effects']) {
        expect(o[key], `${o.operationId} ${key}`).toEqual(expect.arrayContaining([expect.any(String)]));
      }
      expect(o['x-routing-policy-examples'], o.operationId).toEqual(
        expect.arrayContaining([
          { input: { intent: expect.any(String), required_privilege: expect.any(String) }, decision: expect.any(String) },
        ]),
      );
      expect(o.description, o.operationId).toEqual(expect.stringMatching(/\S/));
      expect(o.security).toEqual([{ AgentToken: [] }]);
    }
  });

  it('a template-style jq filter by role finds lead operations', () => {
    const leadOps = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, o]) => o.tags.includes('agent-lead'))
        .map(([m]) => `${m.toUpperCase()} ${path}`),
    );
    expect(leadOps).toEqual(
      expect.arrayContaining(['POST /api/v1/agent/heartbeat', 'PATCH /api/v1/agent/boards/{board_id}/tasks/{task_id}']),
    );
  });
});
