import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #13 item 6, the refusal half: deleting a board or a gateway whose gateway cannot be reached would
 * leave its agents running there, unsupervised. Nothing is deleted; the 409 names the agents and the
 * choices. `force=true` deletes the records and says, in the answer and the activity feed, which
 * agents were left on the gateway. (Deletion on the real gateway: test/integration/teardown.test.ts.)
 */

const api = useTestApi();
const f = fixtures(api);

type Detail = { message: string; code: string; next_step: string; agents: { id: string; name: string; gateway_agent_id: string }[] };

describe('deleting a board or gateway whose gateway is unreachable', () => {
  it('board: 409 naming its agents and the choices; nothing deleted', async () => {
    const board = await f.board();
    const lead = await f.agent(board.id, { is_board_lead: true, name: 'Refusal Lead' });
    const worker = await f.agent(board.id, { name: 'Refusal Worker' });
    const res = await api.user('delete', `/api/v1/boards/${board.id}`);
    expect(res.status).toBe(409);
    const detail = res.body.detail as Detail;
    expect(detail.code).toBe('agents_on_gateway');
    expect(detail.message).toContain('Refusal Lead');
    expect(detail.message).toContain(`lead-${board.id}`);
    expect(detail.message).toContain(`mc-${worker.id}`);
    expect(detail.next_step).toMatch(/Retry once the gateway is reachable/);
    expect(detail.next_step).toContain('force=true');
    expect(detail.agents.map((a) => a.id).sort()).toEqual([lead.id, worker.id].sort());
    await api.user('get', `/api/v1/boards/${board.id}`).expect(200);
    await api.user('get', `/api/v1/agents/${lead.id}`).expect(200);
    const after = await api.user('get', `/api/v1/agents/${worker.id}`).expect(200);
    expect(after.body.status).not.toBe('deleting');
  });

  it('board with force=true: records deleted, each agent listed as left on the gateway, recorded in the activity feed', async () => {
    const board = await f.board();
    const worker = await f.agent(board.id, { name: 'Forced Worker' });
    const res = await api.user('delete', `/api/v1/boards/${board.id}?force=true`).expect(200);
    expect(res.body).toMatchObject({
      ok: true,
      agents: [{ id: worker.id, name: 'Forced Worker', gateway_agent_id: `mc-${worker.id}`, outcome: 'left_on_gateway' }],
    });
    expect(res.body.agents[0].detail).toBeTruthy();
    await api.user('get', `/api/v1/boards/${board.id}`).expect(404);
    await api.user('get', `/api/v1/agents/${worker.id}`).expect(404);
    const activity = await api.user('get', '/api/v1/activity?event_type=teardown.agents_left_on_gateway').expect(200);
    const messages = (activity.body.items as { message: string }[]).map((a) => a.message);
    expect(messages.some((m) => m.includes(`Forced Worker (mc-${worker.id})`) && m.includes('unsupervised'))).toBe(true);
  });

  it('a board without agents is deleted at once (nothing to leave behind)', async () => {
    const board = await f.board();
    const res = await api.user('delete', `/api/v1/boards/${board.id}`).expect(200);
    expect(res.body).toEqual({ ok: true, agents: [] });
  });

  it('gateway: 409 naming its main agent; force=true deletes it and says the main agent was left there', async () => {
    const gw = await f.gateway();
    const refused = await api.user('delete', `/api/v1/gateways/${gw.id}`);
    expect(refused.status).toBe(409);
    const detail = refused.body.detail as Detail;
    expect(detail.agents).toEqual([expect.objectContaining({ id: gw.main_agent_id, gateway_agent_id: `mc-gateway-${gw.id}` })]);
    await api.user('get', `/api/v1/gateways/${gw.id}`).expect(200);

    const forced = await api.user('delete', `/api/v1/gateways/${gw.id}?force=true`).expect(200);
    expect(forced.body.agents).toEqual([expect.objectContaining({ gateway_agent_id: `mc-gateway-${gw.id}`, outcome: 'left_on_gateway' })]);
    await api.user('get', `/api/v1/gateways/${gw.id}`).expect(404);
    const activity = await api.user('get', '/api/v1/activity?event_type=teardown.agents_left_on_gateway').expect(200);
    expect(JSON.stringify(activity.body.items)).toContain(`mc-gateway-${gw.id}`);
  });

  it('a gateway with boards is still refused before anything is tried', async () => {
    const board = await f.board();
    const res = await api.user('delete', `/api/v1/gateways/${board.gateway_id}?force=true`);
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body.detail)).toMatch(/board/);
    await api.user('get', `/api/v1/boards/${board.id}`).expect(200);
  });
});
