import { describe, expect, inject, it } from 'vitest';
import { useTestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';

/*
 * #13 item 6 on the real gateway: deleting a board deletes its lead and workers on the gateway, and
 * deleting a gateway deletes its main agent there — with their heartbeat cron jobs (an agent left
 * behind keeps its cron heartbeat and its shell, unsupervised). The gateway's state is read with the
 * independent raw client. The refusal when the gateway is unreachable: test/api/teardown-refusal.test.ts.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const api = useTestApi();

const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const gatewayAgentIds = async () => (await gw<{ agents: { id: string }[] }>('agents.list')).agents.map((a) => a.id);
/** Every cron job of the agent (the heartbeat, the weekly review, …), disabled ones too. */
const cronJobsOf = async (key: string) =>
  (await gw<{ jobs: Record<string, unknown>[] }>('cron.list', { includeDisabled: true })).jobs.filter(
    (job) => job.agentId === key || String(job.declarationKey ?? '').endsWith(`:${key}`),
  );

describe('deleting a board or a gateway deletes its agents on the gateway', () => {
  let gatewayId: string;
  let mainKey: string;

  it('a board: its lead and worker leave the gateway with their cron jobs; the answer lists each', async () => {
    const created = await api
      .user('post', '/api/v1/gateways')
      .send({ name: 'Teardown gateway', url: gatewayUrl, token: gatewayToken })
      .expect(200);
    gatewayId = created.body.id;
    mainKey = `mc-gateway-${gatewayId}`;
    const board = (
      await api
        .user('post', '/api/v1/boards')
        .send({ name: 'Teardown board', description: 'd', gateway_id: gatewayId, create_lead: true, lead_name: 'Teardown Lead' })
        .expect(200)
    ).body;
    const worker = (await api.user('post', '/api/v1/agents').send({ name: 'Teardown Worker', board_id: board.id }).expect(200)).body;
    const keys = [`lead-${board.id}`, `mc-${worker.id}`];
    expect(await gatewayAgentIds()).toEqual(expect.arrayContaining([...keys, mainKey]));
    for (const key of keys) expect(await cronJobsOf(key)).not.toHaveLength(0);

    const res = await api.user('delete', `/api/v1/boards/${board.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.agents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ gateway_agent_id: `lead-${board.id}`, name: 'Teardown Lead', outcome: 'deleted' }),
        expect.objectContaining({ gateway_agent_id: `mc-${worker.id}`, id: worker.id, outcome: 'deleted' }),
      ]),
    );
    expect(res.body.agents).toHaveLength(2);
    const left = await gatewayAgentIds();
    for (const key of keys) {
      expect(left).not.toContain(key);
      expect(await cronJobsOf(key)).toEqual([]);
    }
    // The gateway's main agent belongs to the gateway, not the board: it stays.
    expect(left).toContain(mainKey);
    await api.user('get', `/api/v1/boards/${board.id}`).expect(404);
    await api.user('get', `/api/v1/agents/${worker.id}`).expect(404);
  }, 120_000);

  it('a gateway: its main agent leaves the gateway with its cron jobs', async () => {
    expect(await cronJobsOf(mainKey)).not.toHaveLength(0);
    const res = await api.user('delete', `/api/v1/gateways/${gatewayId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.agents).toEqual([expect.objectContaining({ gateway_agent_id: mainKey, outcome: 'deleted', detail: null })]);
    expect(await gatewayAgentIds()).not.toContain(mainKey);
    expect(await cronJobsOf(mainKey)).toEqual([]);
    await api.user('get', `/api/v1/gateways/${gatewayId}`).expect(404);
  }, 60_000);
});
