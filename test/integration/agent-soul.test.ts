import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';

/*
 * #16: the web edition's soul routes on the real OpenClaw gateway. The lead's PUT writes SOUL.md into
 * the worker's workspace (checked with an independent raw client) and the GET reads it back as a JSON
 * string, as the web edition answers.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
let api: TestApi;

const fileOnGateway = async (agentId: string, name: string) =>
  (await rawRpc<{ file: { content?: string } }>(gatewayUrl, gatewayToken, 'agents.files.get', { agentId, name })).file;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('agent soul on the real gateway', () => {
  it('the lead writes a worker’s SOUL.md; the worker and the lead read it back', async () => {
    const f = fixtures(api);
    const gateway = (
      await api.user('post', '/api/v1/gateways').send({ name: 'Soul gateway', url: gatewayUrl, token: gatewayToken }).expect(200)
    ).body;
    const board = await f.board({ gateway_id: gateway.id, max_agents: 3 });
    const lead = await f.agent(board.id, { is_board_lead: true });
    const worker = await f.agent(board.id);
    const path = `/api/v1/agent/boards/${board.id}/agents/${worker.id}/soul`;
    const soul = '# SOUL\n\nBe concise; cite evidence.\n';

    expect((await api.agent(lead.token, 'put', path).send({ content: soul, reason: 'Tighter updates' }).expect(200)).body).toEqual({
      ok: true,
    });
    expect((await fileOnGateway(`mc-${worker.id}`, 'SOUL.md')).content).toBe(soul.trim());
    const own = await api.agent(worker.token, 'get', path).expect(200);
    expect(own.body).toBe(soul.trim());
    expect((await api.agent(lead.token, 'get', path).expect(200)).body).toBe(soul.trim());
  });
});
