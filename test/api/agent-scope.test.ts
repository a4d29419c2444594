import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/** What each kind of agent may see and touch, and how shared routes pick the caller. */
const api = useTestApi();
const f = fixtures(api);

describe('the gateway main agent', () => {
  it('sees the boards of its own gateway only', async () => {
    const gw = await f.gateway();
    const own = await f.board({ gateway_id: gw.id });
    const foreign = await f.board();
    const token = await f.tokenFor(gw.main_agent_id);
    const list = await api.agent(token, 'get', '/api/v1/agent/boards').expect(200);
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([own.id]);
    await api.agent(token, 'get', `/api/v1/agent/boards/${own.id}`).expect(200);
    await api.agent(token, 'get', `/api/v1/agent/boards/${foreign.id}`).expect(403);
  });

  it('may read a board’s tasks but not take or finish them (task_board_mismatch)', async () => {
    const gw = await f.gateway();
    const board = await f.board({ gateway_id: gw.id, require_approval_for_done: false });
    const token = await f.tokenFor(gw.main_agent_id);
    const task = await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Write the plan' }).expect(200);
    await api.agent(token, 'get', `/api/v1/boards/${board.id}/tasks`).expect(200);
    for (const status of ['in_progress', 'done']) {
      const res = await api.agent(token, 'patch', `/api/v1/agent/boards/${board.id}/tasks/${task.body.id}`).send({ status }).expect(403);
      expect(res.body.detail.code).toBe('task_board_mismatch');
    }
    const after = await api.user('get', `/api/v1/boards/${board.id}/tasks/${task.body.id}`).expect(200);
    expect(after.body).toMatchObject({ status: 'inbox', assigned_agent_id: null });
  });
});

describe('shared routes (user or agent)', () => {
  it('X-Agent-Token wins over a valid user bearer: the caller is the agent', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.user('post', `/api/v1/boards/${board.id}/memory`).send({ content: 'from the user' }).expect(200);
    const res = await api
      .raw()
      .post(`/api/v1/boards/${board.id}/memory`)
      .set('Authorization', `Bearer ${api.backend.localToken}`)
      .set('X-Agent-Token', agent.token)
      .send({ content: 'from the agent' })
      .expect(200);
    expect(res.body.source).toBe(agent.name);
    // The activity feed answers an agent with its own events only.
    const feed = await api
      .raw()
      .get('/api/v1/activity')
      .set('Authorization', `Bearer ${api.backend.localToken}`)
      .set('X-Agent-Token', agent.token);
    expect(feed.status).toBe(200);
    expect(feed.body.items.every((e: { agent_id: string | null }) => e.agent_id === agent.id)).toBe(true);
  });

  it('a blank X-Agent-Token counts as absent, and the local token is never taken for an agent token', async () => {
    const board = await f.board();
    const ok = await api
      .raw()
      .get(`/api/v1/boards/${board.id}/tasks`)
      .set('Authorization', `Bearer ${api.backend.localToken}`)
      .set('X-Agent-Token', '');
    expect(ok.status).toBe(200);
    const wrong = await api.agent(api.backend.localToken, 'get', `/api/v1/boards/${board.id}/tasks`).expect(401);
    expect(wrong.body.detail).toMatch(/local user token is not one/);
    const failures = api.backend.services.agentAuth.recentFailures({ since: new Date(Date.now() - 60_000) });
    expect(failures.map((x) => x.token_prefix)).not.toContain(api.backend.localToken.slice(0, 6));
  });

  it('no credential at all is a 401 that says what to send', async () => {
    const board = await f.board();
    const res = await api.raw().get(`/api/v1/boards/${board.id}/tasks`).expect(401);
    expect(res.body.detail).toMatch(/Authorization: Bearer/);
  });
});

describe('status heartbeats (web-edition shared routes)', () => {
  it('an agent may set its own status by id, never another agent’s', async () => {
    const board = await f.board({ max_agents: 3 });
    const a = await f.agent(board.id);
    const b = await f.agent(board.id);
    const res = await api.agent(a.token, 'post', `/api/v1/agents/${a.id}/heartbeat`).send({ status: 'busy' }).expect(200);
    expect(res.body).toMatchObject({ id: a.id, status: 'busy' });
    await api.agent(a.token, 'post', `/api/v1/agents/${b.id}/heartbeat`).send({}).expect(403);
    // The no-body check-in keeps a custom status.
    const plain = await api.agent(a.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect(plain.body.status).toBe('busy');
  });

  it('the by-name heartbeat only accepts the caller’s own name', async () => {
    const board = await f.board();
    const a = await f.agent(board.id);
    const res = await api.agent(a.token, 'post', '/api/v1/agents/heartbeat').send({ name: a.name.toUpperCase() }).expect(200);
    expect(res.body.id).toBe(a.id);
    await api.agent(a.token, 'post', '/api/v1/agents/heartbeat').send({ name: 'someone else' }).expect(403);
  });
});
