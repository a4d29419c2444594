import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RememberedGatewayDrift } from '../../backend/contract/templates.js';
import { rememberDrift } from '../../backend/lifecycle/drift-memory.js';
import { createApiClient } from '../../renderer/src/model/api/client.js';
import { createTemplateDriftStore } from '../../renderer/src/model/stores/attention-store.js';
import { fixtures, startTestApi, useTestApi } from '../support/api.js';

/*
 * GET /api/v1/template-drift: the latest known template drift per gateway, without a gateway. What a
 * drift read, a sync or a provisioning learned is written with the same `rememberDrift` those paths use
 * (on the real gateway: test/integration/template-sync.test.ts); here: never "in sync" without
 * knowledge, staleness when what a sync writes changes, persistence across a restart, 404 / 422.
 */

const api = useTestApi();
const f = fixtures(api);

const remembered = async (gatewayId: string): Promise<RememberedGatewayDrift> => {
  const res = await api.user('get', `/api/v1/template-drift?gateway_id=${gatewayId}`).expect(200);
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0] as RememberedGatewayDrift;
};
const agentIn = (g: RememberedGatewayDrift, id: string) => g.agents.find((a) => a.agent_id === id)!;

describe('GET /api/v1/template-drift', () => {
  it('says "not checked" for agents nothing has read or written (never "in sync" without knowledge)', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const agent = await f.agent(board.id);
    const g = await remembered(gateway.id);
    // The gateway is offline: provisioning its main agent and the worker failed before writing anything.
    expect(g.state).toBe('not_checked');
    expect(g.checked_at).toBeNull();
    expect(g.counts).toMatchObject({ agents: 2, not_checked: 2, in_sync: 0, drifted: 0 });
    expect(agentIn(g, agent.id)).toMatchObject({ state: 'not_checked', checked_at: null, source: null, files: [] });
  });

  it('shows what was learned with its time; a change to what a sync writes makes it stale; deletion forgets it', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const drifted = await f.agent(board.id);
    const clean = await f.agent(board.id);
    const { db } = api.backend.services.ctx;
    const memory = api.backend.services.driftMemory;
    const at = new Date('2026-11-21T11:56:00.000Z');
    rememberDrift(db, [
      {
        agentId: drifted.id,
        checkedAt: at,
        source: 'drift_read',
        fingerprint: memory.fingerprintNow(drifted.id),
        token: 'match',
        filesChanged: ['SOUL.md', 'IDENTITY.md'],
        error: null,
      },
      {
        agentId: clean.id,
        checkedAt: new Date(at.getTime() + 60_000),
        source: 'provision',
        fingerprint: memory.fingerprintNow(clean.id),
        token: 'match',
        filesChanged: [],
        error: null,
      },
    ]);
    let g = await remembered(gateway.id);
    expect(g.state).toBe('drifted');
    expect(g.counts).toMatchObject({ agents: 3, drifted: 1, in_sync: 1, not_checked: 1 });
    // The oldest knowledge among the agents known: what "checked N min ago" means.
    expect(g.checked_at).toBe(at.toISOString());
    expect(agentIn(g, drifted.id)).toMatchObject({ state: 'drifted', files: ['SOUL.md', 'IDENTITY.md'], source: 'drift_read' });
    expect(agentIn(g, clean.id)).toMatchObject({ state: 'in_sync', files: [], source: 'provision' });

    // Renaming the agent changes its IDENTITY/AGENTS.md as a sync would write them: what was compared is out of date.
    await api
      .user('patch', `/api/v1/agents/${clean.id}`)
      .send({ name: `${clean.name} renamed` })
      .expect(200);
    g = await remembered(gateway.id);
    expect(agentIn(g, clean.id).state).toBe('stale');
    expect(g.counts).toMatchObject({ in_sync: 0, stale: 1 });
    expect(g.checked_at).toBe(at.toISOString());

    // A token that differs wins over files, and an unreadable workspace is a problem too.
    rememberDrift(db, [
      {
        agentId: drifted.id,
        checkedAt: new Date(at.getTime() + 120_000),
        source: 'sync',
        fingerprint: memory.fingerprintNow(drifted.id),
        token: 'mismatch',
        filesChanged: null,
        error: null,
      },
    ]);
    g = await remembered(gateway.id);
    expect(agentIn(g, drifted.id)).toMatchObject({ state: 'token_differs', token: 'mismatch', source: 'sync' });
    expect(g.state).toBe('drifted');

    await api.user('delete', `/api/v1/agents/${drifted.id}?force=true`).expect(200);
    g = await remembered(gateway.id);
    expect(g.agents.map((a) => a.agent_id)).not.toContain(drifted.id);
    // Left: one stale, one never checked: nothing is known now.
    expect(g.state).toBe('not_checked');
    expect(g.checked_at).toBeNull();
  });

  it('a rotated token (workspace not rewritten) forgets what was known: never "in sync" for an agent its workspace token no longer works for', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const agent = await f.agent(board.id);
    const memory = api.backend.services.driftMemory;
    rememberDrift(api.backend.services.ctx.db, [
      {
        agentId: agent.id,
        checkedAt: new Date('2026-11-21T11:56:00.000Z'),
        source: 'provision',
        fingerprint: memory.fingerprintNow(agent.id),
        token: 'match',
        filesChanged: [],
        error: null,
      },
    ]);
    expect(agentIn(await remembered(gateway.id), agent.id).state).toBe('in_sync');
    await api.user('post', `/api/v1/agents/${agent.id}/token`).expect(200);
    const g = await remembered(gateway.id);
    expect(agentIn(g, agent.id).state).toBe('not_checked');
    expect(g.state).toBe('not_checked');
  });

  it('lists every gateway without a filter; an unknown gateway is a 404, a malformed id a 422 with its field', async () => {
    const a = await f.gateway();
    const b = await f.gateway();
    const all = await api.user('get', '/api/v1/template-drift').expect(200);
    const ids = (all.body.items as RememberedGatewayDrift[]).map((g) => g.gateway_id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    await api.user('get', `/api/v1/template-drift?gateway_id=${randomUUID()}`).expect(404);
    const bad = await api.user('get', '/api/v1/template-drift?gateway_id=nope').expect(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'gateway_id']);
    await api.raw().get('/api/v1/template-drift').expect(401);
  });

  it('survives a restart of the app (kept in SQLite); a different base URL for agents makes it stale', async () => {
    const baseUrl = 'http://127.0.0.1:18123';
    const first = await startTestApi({ baseUrl });
    let restarted: Awaited<ReturnType<typeof startTestApi>> | undefined;
    try {
      const own = fixtures(first);
      const board = await own.board();
      const agent = await own.agent(board.id);
      rememberDrift(first.backend.services.ctx.db, [
        {
          agentId: agent.id,
          checkedAt: new Date('2026-11-21T11:00:00.000Z'),
          source: 'drift_read',
          fingerprint: first.backend.services.driftMemory.fingerprintNow(agent.id),
          token: 'match',
          filesChanged: ['SOUL.md'],
          error: null,
        },
      ]);
      await first.stop(false);
      restarted = await startTestApi({ dataDir: first.dataDir, baseUrl });
      const read = async () =>
        agentIn(
          (await restarted!.user('get', `/api/v1/template-drift?gateway_id=${board.gateway_id}`).expect(200)).body.items[0],
          agent.id,
        );
      expect(await read()).toMatchObject({ state: 'drifted', files: ['SOUL.md'], checked_at: '2026-11-21T11:00:00.000Z' });
      // AGENTS.md carries the base URL: started with another one, what was compared is no longer what a sync writes.
      await restarted.stop(false);
      restarted = await startTestApi({ dataDir: first.dataDir, baseUrl: 'http://127.0.0.1:18124' });
      expect(await read()).toMatchObject({ state: 'stale', checked_at: '2026-11-21T11:00:00.000Z' });
    } finally {
      await (restarted ?? first).stop();
    }
  });
});

describe('the Overview’s template drift store', () => {
  it('reads what is remembered; “Check now” on an unreachable gateway says why in plain words and remembers nothing', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    await f.agent(board.id);
    const store = createTemplateDriftStore(createApiClient({ baseUrl: api.url, getToken: () => api.backend.localToken }));
    expect(store.getState().drift).toBeNull(); // not read yet: the page says "reading…", not "in sync"
    await store.getState().load();
    const mine = () => store.getState().drift!.find((g) => g.gateway_id === gateway.id)!;
    expect(mine().state).toBe('not_checked');

    await store.getState().checkNow(gateway.id);
    expect(store.getState().checking[gateway.id]).toBe(false);
    const problem = store.getState().checkErrors[gateway.id];
    expect(problem?.status).toBe(502);
    expect(problem?.message).toBeTruthy();
    expect(mine()).toMatchObject({ state: 'not_checked', checked_at: null });
  });
});
