import { describe, expect, inject, it } from 'vitest';
import { useFlakyGateway } from '../support/flaky-gateway.js';
import { rawRpc } from '../support/openclaw/gateway.js';

/*
 * A delete the gateway refuses as temporary is tried again (the real gateway, under load, answered
 * `agents.delete` with UNAVAILABLE after its deletion lost a state lease — and left the deletion
 * unfinished). The refusal is injected by a FAKE proxy in front of the REAL gateway (a real gateway
 * cannot be made to lose its lease on demand); everything else, the deletes that follow included,
 * happens on the real gateway, and its own agent list is the evidence.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const LEASE_LOST = {
  code: 'UNAVAILABLE',
  message: 'OpenClawStateLeaseError: agent deletion was lost: code=OPENCLAW_STATE_LEASE_LOST (injected by the fake proxy)',
};
const setup = useFlakyGateway(gatewayUrl);

const gatewayAgentIds = async () =>
  (await rawRpc<{ agents: { id: string }[] }>(gatewayUrl, gatewayToken, 'agents.list', {})).agents.map((a) => a.id);

async function boardWithLead(name: string): Promise<{ boardId: string; leadKey: string }> {
  const [api, proxy] = [setup.api(), setup.proxy()];
  const gateway = (await api.user('post', '/api/v1/gateways').send({ name, url: proxy.url, token: gatewayToken }).expect(200)).body;
  const board = (
    await api
      .user('post', '/api/v1/boards')
      .send({ name, description: 'd', gateway_id: gateway.id, create_lead: true, lead_name: `${name} Lead` })
      .expect(200)
  ).body;
  const leadKey = `lead-${board.id}`;
  expect(await gatewayAgentIds()).toContain(leadKey);
  return { boardId: board.id, leadKey };
}

describe('deleting agents on a gateway that refuses for a moment', () => {
  it('one UNAVAILABLE answer: the delete is tried again and the board goes, its lead off the real gateway', async () => {
    const { boardId, leadKey } = await boardWithLead('Retry once');
    const [api, proxy] = [setup.api(), setup.proxy()];
    proxy.failNext('agents.delete', 1, LEASE_LOST);

    const res = await api.user('delete', `/api/v1/boards/${boardId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(proxy.injected['agents.delete']).toBe(1);
    expect(res.body.agents).toEqual(expect.arrayContaining([expect.objectContaining({ gateway_agent_id: leadKey, outcome: 'deleted' })]));
    expect(await gatewayAgentIds()).not.toContain(leadKey);
  }, 120_000);

  it('a refusal that does not pass: three tries, then the 409 names the agent, which is kept on both sides', async () => {
    const { boardId, leadKey } = await boardWithLead('Retry in vain');
    const [api, proxy] = [setup.api(), setup.proxy()];
    proxy.failNext('agents.delete', 10, LEASE_LOST);

    const res = await api.user('delete', `/api/v1/boards/${boardId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.detail).toMatchObject({ code: 'agents_on_gateway', gateway_error: 'rejected' });
    expect(proxy.injected['agents.delete']).toBe(1 + 3);
    expect(await gatewayAgentIds()).toContain(leadKey);
    await api.user('get', `/api/v1/boards/${boardId}`).expect(200);

    // The gateway is fine again: the same delete now goes through.
    proxy.failNext('agents.delete', 0, LEASE_LOST);
    expect((await api.user('delete', `/api/v1/boards/${boardId}`)).status).toBe(200);
    expect(await gatewayAgentIds()).not.toContain(leadKey);
  }, 120_000);
});
