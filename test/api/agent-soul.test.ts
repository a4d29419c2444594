import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #16: soul GET/PUT with the web edition's paths and bodies. Who may touch which soul comes from the
 * token; with no gateway running, the answer is the classified 502 (the read and write on the real
 * gateway: test/integration/agent-soul.test.ts).
 */

const api = useTestApi();

async function board() {
  const f = fixtures(api);
  const b = await f.board({ max_agents: 5 });
  const lead = await f.agent(b.id, { is_board_lead: true });
  const worker = await f.agent(b.id);
  const peer = await f.agent(b.id);
  return { f, b, lead, worker, peer };
}

const soulPath = (boardId: string, agentId: string) => `/api/v1/agent/boards/${boardId}/agents/${agentId}/soul`;

describe('agent soul (web-edition routes)', () => {
  it('PUT by the lead saves soul_template and records it; the gateway being down is a 502 saying so', async () => {
    const { b, lead, worker } = await board();
    const res = await api
      .agent(lead.token, 'put', soulPath(b.id, worker.id))
      .send({ content: '# SOUL\n\nBe concise.', source_url: null, reason: 'Tighter updates' });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('gateway_error');
    expect(res.body.detail.message).toMatch(/Gateway SOUL write failed/);
    const stored = (await api.user('get', `/api/v1/agents/${worker.id}`).expect(200)).body;
    expect(stored.soul_template).toBe('# SOUL\n\nBe concise.');
    const activity = (await api.user('get', '/api/v1/activity?limit=20').expect(200)).body.items as {
      event_type: string;
      message: string;
    }[];
    expect(activity.find((e) => e.event_type === 'agent.soul.updated')?.message).toMatch(/reason: Tighter updates/);
  });

  it('GET by the agent itself or its lead reaches the gateway (502 here); a peer, another board, an unknown agent: refused', async () => {
    const { b, lead, worker, peer } = await board();
    const other = await board();
    for (const token of [worker.token, lead.token]) {
      const res = await api.agent(token, 'get', soulPath(b.id, worker.id));
      expect(res.status).toBe(502);
      expect(res.body.detail.message).toMatch(/Gateway SOUL read failed/);
    }
    await api.agent(peer.token, 'get', soulPath(b.id, worker.id)).expect(403);
    await api.agent(other.lead.token, 'get', soulPath(b.id, worker.id)).expect(403);
    await api.agent(lead.token, 'get', soulPath(b.id, other.worker.id)).expect(404);
  });

  it('only the lead writes, never another lead’s soul; a blank soul is a 422; nothing is saved when refused', async () => {
    const { b, lead, worker, peer } = await board();
    await api.agent(worker.token, 'put', soulPath(b.id, peer.id)).send({ content: 'Obey me.' }).expect(403);
    await api.agent(worker.token, 'put', soulPath(b.id, worker.id)).send({ content: 'I am the lead now.' }).expect(403);
    const blank = await api.agent(lead.token, 'put', soulPath(b.id, worker.id)).send({ content: '   ' }).expect(422);
    expect(blank.body.detail[0].loc).toEqual(['body', 'content']);
    const stored = (await api.user('get', `/api/v1/agents/${peer.id}`).expect(200)).body;
    expect(stored.soul_template).toBeNull();
  });
});
