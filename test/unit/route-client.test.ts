import { describe, expect, it } from 'vitest';
import { ApiError, createRouteClient } from '../../backend/contract/client.js';
import { useRecordingServer } from '../support/recording-server.js';

/**
 * The one API client (backend/contract/client.ts), against a recording HTTP server: requests come
 * from the route table, answers are parsed with the route's schema, and every error answer is one
 * typed ApiError (used by the renderer, the tray's actions and the CLI).
 */
const rec = useRecordingServer();

describe('createRouteClient: one client generated from the route table', () => {
  it('builds method, path, query and body from the route table, with the bearer token', async () => {
    rec.seen.length = 0;
    rec.answer = { status: 200, body: { ok: true } };
    const call = createRouteClient({ baseUrl: rec.base, getToken: () => 'tok' });
    await call('deleteTask', { params: { board_id: 'b 1', task_id: 't/2' } });
    rec.answer = { status: 200, body: { items: [], total: 0, limit: 5, offset: 0 } };
    await call('listGateways', { query: { limit: 5 } });
    expect(rec.seen).toEqual([
      { method: 'DELETE', url: '/api/v1/boards/b%201/tasks/t%2F2', authorization: 'Bearer tok', body: '' },
      { method: 'GET', url: '/api/v1/gateways?limit=5', authorization: 'Bearer tok', body: '' },
    ]);
  });

  it('every error answer is one ApiError with status, code, detail and request id', async () => {
    rec.answer = { status: 409, body: { detail: { message: 'busy', code: 'template_sync_running' }, request_id: 'r1', code: 'conflict' } };
    const call = createRouteClient({ baseUrl: rec.base });
    const err = await call('wakeAgent', { params: { agent_id: 'a' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', requestId: 'r1', message: 'busy' });
    rec.answer = {
      status: 422,
      body: { detail: [{ loc: ['body', 'name'], msg: 'must not be blank', type: 'x' }], request_id: 'r2', code: 'validation_failed' },
    };
    await expect(call('createTag', { body: { name: '' } as never })).rejects.toMatchObject({ message: 'name: must not be blank' });
  });

  it('parses answers with the route’s schema; the quick check and the no-parse option are options, not forks', async () => {
    rec.answer = { status: 200, body: { not: 'a gateway page' } };
    await expect(createRouteClient({ baseUrl: rec.base })('listGateways')).rejects.toThrow();
    expect(await createRouteClient({ baseUrl: rec.base, parseAnswers: false })('listGateways')).toEqual({ not: 'a gateway page' });
    const asked: unknown[] = [];
    const quick = createRouteClient({ baseUrl: rec.base, acceptsUnchanged: (_schema, value) => (asked.push(value), true) });
    expect(await quick('listGateways')).toEqual({ not: 'a gateway page' });
    expect(asked).toEqual([{ not: 'a gateway page' }]);
  });

  it('a GET already on its way (an early read) is taken instead of a new request', async () => {
    rec.seen.length = 0;
    const early = Promise.resolve(new Response(JSON.stringify({ ok: true }), { status: 200 }));
    const call = createRouteClient({ baseUrl: rec.base, takeEarly: (path) => (path === '/health' ? early : undefined) });
    expect(await call('health')).toEqual({ ok: true });
    expect(rec.seen).toEqual([]);
  });
});
