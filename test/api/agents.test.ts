import { describe, expect, it } from 'vitest';
import { fixtures, injectAgentRow, useTestApi } from '../support/api.js';

const api = useTestApi();
const f = fixtures(api);

describe('agent auth and heartbeat', () => {
  it('heartbeat takes no body, moves provisioning → online and resets the wake ladder', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    // Put the agent mid-ladder, as the supervisor would after two unanswered wakes.
    injectAgentRow(api, agent.id, {
      wakeAttempts: 2,
      checkinDeadlineAt: new Date(Date.now() + 30_000),
      lastProvisionError: 'no check-in yet',
      lastWakeSentAt: new Date(),
    });
    const before = await api.user('get', `/api/v1/agents/${agent.id}`).expect(200);
    expect(before.body).toMatchObject({
      status: 'provisioning',
      last_seen_at: null,
      wake_attempts: 2,
      last_provision_error: 'no check-in yet',
    });
    expect(before.body.checkin_deadline_at).not.toBeNull();

    const res = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect(res.body.id).toBe(agent.id);
    expect(res.body.status).toBe('online');
    expect(res.body.wake_attempts).toBe(0);
    expect(res.body.checkin_deadline_at).toBeNull();
    expect(res.body.last_provision_error).toBeNull();
    expect(Date.parse(res.body.last_seen_at)).toBeGreaterThan(Date.now() - 10_000);
    // The token itself never appears in a read.
    expect(JSON.stringify(res.body)).not.toContain(agent.token);
    expect(res.body.has_token).toBe(true);
  });

  it('accepts the token as Authorization: Bearer too', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const res = await api.raw().post('/api/v1/agent/heartbeat').set('Authorization', `Bearer ${agent.token}`).expect(200);
    expect(res.body.id).toBe(agent.id);
  });

  it('a body sent to the heartbeat is ignored, as in the web edition — even one that is not JSON', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const res = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').send({ status: 'whatever', x: 1 }).expect(200);
    expect(res.body.status).toBe('online');
    await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').set('Content-Type', 'application/json').send('{"broken":').expect(200);
  });

  it('an updating agent stays updating on check-in (the lifecycle finishes the update)', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const { agents } = await import('../../backend/db/schema.js');
    const { eq } = await import('drizzle-orm');
    api.backend.services.ctx.db.update(agents).set({ status: 'updating' }).where(eq(agents.id, agent.id)).run();
    const res = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect(res.body.status).toBe('updating');
    expect(res.body.last_seen_at).not.toBeNull();
  });

  it('rotation makes the old token fail at once, and the 401 is attributed to the agent', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const fresh = await f.tokenFor(agent.id);
    expect(fresh).not.toBe(agent.token);
    const denied = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(401);
    expect(denied.body.detail).toMatch(/rotated/);
    expect(denied.body.request_id).toBeTruthy();
    await api.agent(fresh, 'post', '/api/v1/agent/heartbeat').expect(200);

    const failures = api.backend.services.agentAuth.recentFailures({ since: new Date(Date.now() - 60_000), agentIds: [agent.id] });
    expect(failures).toEqual([
      expect.objectContaining({ agent_id: agent.id, reason: 'retired_token', count: 1, token_prefix: agent.token.slice(0, 6) }),
    ]);
  });

  it('unknown and missing tokens are 401 and never logged in full', async () => {
    const bogus = 'bogus-token-' + 'x'.repeat(40);
    await api.agent(bogus, 'get', '/api/v1/agent/healthz').expect(401);
    await api.raw().get('/api/v1/agent/healthz').expect(401);
    api.backend.logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(`${api.dataDir}/logs/mission-control.log`, 'utf8');
    expect(log).toContain('auth.agent_failed');
    expect(log).not.toContain(bogus);
  });

  it('agent healthz tells the agent who it is', async () => {
    const board = await f.board();
    const lead = await f.agent(board.id, { is_board_lead: true });
    const res = await api.agent(lead.token, 'get', '/api/v1/agent/healthz').expect(200);
    expect(res.body).toEqual({
      ok: true,
      agent_id: lead.id,
      board_id: board.id,
      gateway_id: board.gateway_id,
      status: expect.any(String),
      is_board_lead: true,
    });
  });

  it('a board agent cannot read another board', async () => {
    const a = await f.board();
    const b = await f.board();
    const agent = await f.agent(a.id);
    await api.agent(agent.token, 'get', `/api/v1/agent/boards/${a.id}`).expect(200);
    await api.agent(agent.token, 'get', `/api/v1/agent/boards/${b.id}`).expect(403);
    const list = await api.agent(agent.token, 'get', '/api/v1/agent/boards').expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([a.id]);
  });

  it('the user token is not an agent token and vice versa', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.raw().get('/api/v1/boards').set('Authorization', `Bearer ${agent.token}`).expect(401);
    await api.agent(api.backend.localToken, 'post', '/api/v1/agent/heartbeat').expect(401);
  });
});

describe('agent records', () => {
  it('names are unique per gateway, case-insensitively', async () => {
    const board = await f.board();
    await api.user('post', '/api/v1/agents').send({ name: 'Scout', board_id: board.id }).expect(200);
    const dup = await api.user('post', '/api/v1/agents').send({ name: 'scout', board_id: board.id }).expect(409);
    expect(dup.body.detail).toMatch(/already exists/);
  });

  it('one lead per board', async () => {
    const board = await f.board();
    await f.agent(board.id, { is_board_lead: true });
    await api
      .user('post', '/api/v1/agents')
      .send({ name: f.unique('Lead'), board_id: board.id, is_board_lead: true })
      .expect(409);
  });

  it('a lead may add workers up to max_agents (excluding the lead)', async () => {
    const board = await f.board({ max_agents: 1 });
    const lead = await f.agent(board.id, { is_board_lead: true });
    const first = await api
      .agent(lead.token, 'post', '/api/v1/agent/agents')
      .send({ name: f.unique('Worker') })
      .expect(200);
    expect(first.body.board_id).toBe(board.id);
    const over = await api
      .agent(lead.token, 'post', '/api/v1/agent/agents')
      .send({ name: f.unique('Worker') })
      .expect(409);
    expect(over.body.detail).toContain('max_agents=1');
    expect(over.body.detail).toContain('excluding the lead');
  });

  it('a worker cannot add agents', async () => {
    const board = await f.board({ max_agents: 3 });
    const worker = await f.agent(board.id);
    await api
      .agent(worker.token, 'post', '/api/v1/agent/agents')
      .send({ name: f.unique('W') })
      .expect(403);
  });

  it('a lead deletes a worker of its board but never the main agent or a lead', async () => {
    const board = await f.board({ max_agents: 3 });
    const lead = await f.agent(board.id, { is_board_lead: true });
    const worker = await f.agent(board.id);
    const gw = await api.user('get', `/api/v1/gateways/${board.gateway_id}`).expect(200);
    const main = await api.agent(lead.token, 'delete', `/api/v1/agent/boards/${board.id}/agents/${gw.body.main_agent_id}`).expect(403);
    expect(main.body.detail).toMatch(/gateway main/);
    await api.agent(lead.token, 'delete', `/api/v1/agent/boards/${board.id}/agents/${lead.id}`).expect(403);
    // The gateway agent goes first; this gateway is unreachable, so nothing is removed and the lead is told why.
    const refused = await api.agent(lead.token, 'delete', `/api/v1/agent/boards/${board.id}/agents/${worker.id}`).expect(502);
    expect(refused.body.detail).toMatchObject({ code: 'unreachable', message: expect.stringContaining('Gateway cleanup failed') });
    await api.user('get', `/api/v1/agents/${worker.id}`).expect(200);
    // The user may remove the record anyway; the success path on a real gateway is in test/integration.
    await api.user('delete', `/api/v1/agents/${worker.id}?force=true`).expect(200);
    await api.user('get', `/api/v1/agents/${worker.id}`).expect(404);
  });

  it('the gateway token is write-only', async () => {
    const gw = await f.gateway({ token: 'gateway-secret-value' });
    const read = await api.user('get', `/api/v1/gateways/${gw.id}`).expect(200);
    expect(read.body.has_token).toBe(true);
    expect(JSON.stringify(read.body)).not.toContain('gateway-secret-value');
    const list = await api.user('get', '/api/v1/gateways').expect(200);
    expect(JSON.stringify(list.body)).not.toContain('gateway-secret-value');
    const cleared = await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ token: null, allow_offline: true }).expect(200);
    expect(cleared.body.has_token).toBe(false);
  });

  it('boards need a known gateway that has a main agent (create and update); a gateway update restores it', async () => {
    const unknown = await api
      .user('post', '/api/v1/boards')
      .send({ name: 'B', description: 'd', gateway_id: '00000000-0000-4000-8000-000000000000' })
      .expect(422);
    expect(JSON.stringify(unknown.body.detail)).toContain('does not refer to a known gateway');

    const gw = await f.gateway();
    const board = await f.board({ gateway_id: gw.id });
    await api.user('delete', `/api/v1/agents/${gw.main_agent_id}?force=true`).expect(200);
    const rule = 'gateway must have a gateway main agent before boards can be created or updated';
    expect(
      (await api.user('post', '/api/v1/boards').send({ name: 'B2', description: 'd', gateway_id: gw.id }).expect(422)).body.detail,
    ).toBe(rule);
    expect((await api.user('patch', `/api/v1/boards/${board.id}`).send({ name: 'renamed' }).expect(422)).body.detail).toBe(rule);

    const restored = await api
      .user('patch', `/api/v1/gateways/${gw.id}`)
      .send({ name: f.unique('Gateway') })
      .expect(200);
    expect(restored.body.main_agent_id).toEqual(expect.any(String));
    await api.user('patch', `/api/v1/boards/${board.id}`).send({ name: 'renamed' }).expect(200);
  });
});
