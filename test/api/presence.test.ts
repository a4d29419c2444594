import { describe, expect, it } from 'vitest';
import { fixtures, injectAgentRow, manualClock, useTestApi } from '../support/api.js';

/** Read-side status over time, driven by an injected clock (no sleeping). */
const clock = manualClock();
const api = useTestApi({}, { now: clock.now });
const f = fixtures(api);

const statusOf = async (id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body;

describe('agent status as reads show it', () => {
  it('offline after silence: max(10 min, 1.5 × heartbeat interval)', async () => {
    const board = await f.board({ max_agents: 5 });
    const fast = await f.agent(board.id); // default heartbeat every 10m → threshold 15 min
    const slow = await f.agent(board.id, { heartbeat_config: { every: '60m' } }); // threshold 90 min
    const quick = await f.agent(board.id, { heartbeat_config: { every: '1m' } }); // threshold floor: 10 min
    for (const a of [fast, slow, quick]) await api.agent(a.token, 'post', '/api/v1/agent/heartbeat').expect(200);

    clock.advance(11 * 60_000);
    expect((await statusOf(quick.id)).status).toBe('offline');
    expect((await statusOf(fast.id)).status).toBe('online');

    clock.advance(5 * 60_000); // 16 min of silence
    expect((await statusOf(fast.id)).status).toBe('offline');
    expect((await statusOf(slow.id)).status).toBe('online');

    clock.advance(75 * 60_000); // 91 min
    expect((await statusOf(slow.id)).status).toBe('offline');

    // A check-in brings it straight back.
    await api.agent(slow.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect((await statusOf(slow.id)).status).toBe('online');
  });

  it('any agent call refreshes presence, at most every 30 s', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.agent(agent.token, 'get', '/api/v1/agent/healthz').expect(200);
    const first = (await statusOf(agent.id)).last_seen_at;
    expect(first).toBe(clock.now().toISOString());
    expect((await statusOf(agent.id)).status).toBe('online');

    clock.advance(20_000);
    await api.agent(agent.token, 'get', '/api/v1/agent/healthz').expect(200);
    expect((await statusOf(agent.id)).last_seen_at).toBe(first); // within 30 s: no write

    clock.advance(15_000);
    await api.agent(agent.token, 'get', `/api/v1/agent/boards/${board.id}`).expect(200);
    expect((await statusOf(agent.id)).last_seen_at).toBe(clock.now().toISOString());
  });

  it('a stored offline (the wake ladder gave up) is shown as offline even with no check-in ever', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    injectAgentRow(api, agent.id, {
      status: 'offline',
      lastProvisionError: 'Agent did not check in after wake; max wake attempts reached',
    });
    expect(await statusOf(agent.id)).toMatchObject({ status: 'offline', last_seen_at: null });
    const hb = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect(hb.body).toMatchObject({ status: 'online', last_provision_error: null });
  });
});
