import { randomUUID } from 'node:crypto';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteDef } from '../../backend/contract/route.js';
import { ROUTES } from '../../backend/contract/routes.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * Table-driven: every route of the contract gets malformed JSON, wrong types, unknown fields,
 * oversized bodies, bad ids and bad paging. Each answer must be a 4xx JSON error naming what is
 * wrong — never a 5xx, never HTML, never a crash. (Unknown fields are the exception: ignored, as the
 * web edition ignores them, and named in the X-Ignored-Fields header.)
 */

let api: TestApi;
let agentToken: string;

beforeAll(async () => {
  api = await startTestApi();
  const f = fixtures(api);
  const board = await f.board({ max_agents: 5 });
  agentToken = (await f.agent(board.id, { is_board_lead: true })).token;
});
afterAll(async () => {
  await api.stop();
});

const routes = Object.entries(ROUTES) as [string, RouteDef][];

function request(route: RouteDef, path: string): supertest.Test {
  const req = api.raw()[route.method](path);
  if (route.auth === 'agent') return req.set('X-Agent-Token', agentToken);
  if (route.auth === 'user' || route.auth === 'user_or_agent') return req.set('Authorization', `Bearer ${api.backend.localToken}`);
  return req;
}

/** Fill `{param}`s; `override` replaces one of them. */
function pathFor(route: RouteDef, override?: { name: string; value: string }): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (override?.name === name ? override.value : randomUUID()));
}

const paramNames = (route: RouteDef) => [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

function expectClientError(res: supertest.Response, label: string): void {
  expect(res.status, `${label}: ${res.status} ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.headers['content-type'], label).toMatch(/application\/json/);
  expect(res.body.detail, label).toBeDefined();
  expect(res.body.request_id, label).toBeTruthy();
}

/**
 * Routes that answer bad input with another status, on purpose and before reading it, with why. Every
 * other route must answer 422 naming the field: a route that refused with a 404 or 403 first would
 * otherwise pass these checks without its input ever being validated.
 */
type BadInputCase = 'body' | 'id' | 'paging' | 'unknown';
const EARLIER_REFUSAL: Readonly<Record<`${string}:${BadInputCase}`, { status: number; why: string }>> = {
  'agentDeleteAgent:unknown': { status: 403, why: 'the caller is a lead of another board: the lead check answers before the lookup' },
  'agentGetSoul:unknown': { status: 403, why: 'the caller is an agent of another board: the board check answers before the lookup' },
  'doctorCheck:id': { status: 404, why: 'a check id is a name, not a UUID: any string parses, an unknown one is not found' },
};

function expectStatus(res: supertest.Response, name: string, kind: BadInputCase, label: string, usual = 422): void {
  expectClientError(res, label);
  const expected = EARLIER_REFUSAL[`${name}:${kind}`]?.status ?? usual;
  expect(res.status, `${label}: ${res.text.slice(0, 300)}`).toBe(expected);
}

const locsOf = (res: supertest.Response) => (res.body.detail as { loc: unknown[] }[]).map((d) => d.loc.join('.'));

/** A value of the wrong JSON type for a property's schema. */
function wrongValue(schema: Record<string, unknown>): unknown {
  const types = new Set<string>();
  const collect = (s: Record<string, unknown>) => {
    if (typeof s.type === 'string') types.add(s.type);
    if (Array.isArray(s.type)) for (const t of s.type) types.add(String(t));
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (Array.isArray(s[key])) for (const sub of s[key] as Record<string, unknown>[]) collect(sub);
    }
    if (s.const !== undefined || Array.isArray(s.enum)) types.add('enum');
  };
  collect(schema);
  if (!types.has('object')) return { wrong: true };
  return 'not-an-object';
}

const bodyProperties = (route: RouteDef): [string, Record<string, unknown>][] => {
  if (!route.body) return [];
  const json = z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(json.properties ?? {});
};

describe('every route answers bad input with a clear 4xx', () => {
  const withBody = routes.filter(([, r]) => r.body);
  const withParams = routes.filter(([, r]) => paramNames(r).length > 0);
  const withPaging = routes.filter(([, r]) => r.query && 'limit' in ((r.query as z.ZodObject).shape ?? {}));

  it('the table covers the whole contract', () => {
    expect(withBody.length).toBeGreaterThan(10);
    expect(withParams.length).toBeGreaterThan(20);
    expect(withPaging.length).toBeGreaterThan(8);
  });

  describe.each(withBody)('%s: body', (name, route) => {
    it('malformed JSON → 422 json_invalid', async () => {
      const res = await request(route, pathFor(route)).set('Content-Type', 'application/json').send('{"title": "x",');
      expectClientError(res, name);
      expect(res.status).toBe(422);
      expect(res.body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
    });

    it('non-object JSON and a missing body → 422', async () => {
      for (const body of ['[]', '42', '"text"', 'null']) {
        const res = await request(route, pathFor(route)).set('Content-Type', 'application/json').send(body);
        expectClientError(res, `${name} ${body}`);
      }
      const none = await request(route, pathFor(route));
      expectClientError(none, `${name} without body`);
    });

    it('wrong types → 422 naming each field', async () => {
      for (const [prop, schema] of bodyProperties(route)) {
        const res = await request(route, pathFor(route)).send({ [prop]: wrongValue(schema) });
        expectStatus(res, name, 'body', `${name}.${prop}`);
        if (res.status === 422) expect(locsOf(res), `${name}.${prop}`).toContain(`body.${prop}`);
      }
    });

    it('unknown fields are ignored as the web edition ignores them, and named in X-Ignored-Fields', async () => {
      const res = await request(route, pathFor(route)).send({ definitely_not_a_field: 1 });
      expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
      expect(res.headers['x-ignored-fields'], name).toBe('definitely_not_a_field');
      if (res.status === 422) expect((res.body.detail as { type: string }[]).map((d) => d.type)).not.toContain('unrecognized_keys');
    });

    it('oversized body → 413', async () => {
      const res = await request(route, pathFor(route)).send({ blob: 'x'.repeat(1_100_000) });
      expectClientError(res, name);
      expect([413, 401, 403]).toContain(res.status);
    });
  });

  describe.each(withParams)('%s: ids', (name, route) => {
    it('a malformed id → 422 naming the path parameter', async () => {
      for (const param of paramNames(route)) {
        const res = await request(route, pathFor(route, { name: param, value: 'not-a-uuid' })).send(route.body ? {} : undefined);
        expectStatus(res, name, 'id', `${name} ${param}`);
        if (res.status === 422) expect(locsOf(res)).toContain(`path.${param}`);
      }
    });

    it('an unknown id → 4xx (404, or 403 where the caller may not look)', async () => {
      const res = await request(route, pathFor(route)).send(route.body ? {} : undefined);
      // The body is read before the id is looked up: `{}` that the route's body refuses is a 422 first.
      const bodyRefusesEmpty = route.body !== undefined && !route.body.safeParse({}).success;
      expectStatus(res, name, 'unknown', name, bodyRefusesEmpty ? 422 : 404);
    });
  });

  describe.each(withPaging)('%s: paging', (name, route) => {
    it('limit/offset out of range → 422 naming the query parameter', async () => {
      for (const [q, param] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=abc', 'limit'],
        ['offset=-1', 'offset'],
        ['limit=1&limit=2', 'limit'],
      ] as const) {
        const res = await request(route, `${pathFor(route)}?${q}`);
        expectStatus(res, name, 'paging', `${name}?${q}`);
        if (res.status === 422) expect(locsOf(res), `${name}?${q}`).toContain(`query.${param}`);
      }
    });
  });

  it('a certificate pin for a ws:// gateway (where it would do nothing) → 422 at tls_fingerprint, nothing saved', async () => {
    const pin = Array.from({ length: 32 }, () => 'AB').join(':');
    const pinned = { url: 'ws://127.0.0.1:9', tls_fingerprint: pin };
    for (const [path, body] of [
      ['/api/v1/gateways', { name: 'Pinned', allow_offline: true, ...pinned }],
      ['/api/v1/gateways/test', pinned],
    ] as const) {
      const res = await api.user('post', path).send(body);
      expect(res.status, path).toBe(422);
      expect(
        (res.body.detail as { loc: unknown[] }[]).map((d) => d.loc.join('.')),
        path,
      ).toEqual(['body.tls_fingerprint']);
    }
    const list = await api.user('get', '/api/v1/gateways').expect(200);
    expect((list.body.items as { name: string }[]).map((g) => g.name)).not.toContain('Pinned');
  });

  it('a path with broken percent-encoding is a 400, not a crash', async () => {
    for (const path of ['/api/v1/boards/%E0%A4%A', '/api/v1/agent/boards/%ZZ']) {
      const res = await api.user('get', path);
      expectClientError(res, path);
      expect(res.status).toBe(400);
    }
  });

  it('unknown API paths are a JSON 404, not the UI', async () => {
    const res = await api.user('get', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('Not found');
  });

  it('a foreign Host header is refused (DNS rebinding)', async () => {
    const res = await api.raw().get('/healthz').set('Host', 'attacker.example:8000');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('host_not_allowed');
  });

  it('security headers are on every answer', async () => {
    const res = await api.raw().get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const echoed = await api.raw().get('/healthz').set('X-Request-Id', 'my-id-1');
    expect(echoed.headers['x-request-id']).toBe('my-id-1');
  });
});
