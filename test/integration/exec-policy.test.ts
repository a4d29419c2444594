import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { patchGatewayConfig } from '../support/openclaw/config-patch.js';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';

/*
 * A gateway whose exec policy refuses the headless check-in (allowlist mode, curl not listed): Mission
 * Control reads the policy, says so on the agent, and the narrow fix (curl on that agent's allowlist)
 * lets the agent check in. The shared gateway's config is restored afterwards.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const WORKERS = /^mc-(?!gateway-)/;
const suffix = randomBytes(3).toString('hex');
let api: TestApi;

const patchConfig = (raw: string) => patchGatewayConfig(gatewayUrl, gatewayToken, raw);

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: 20 });
  await patchConfig('{"tools":{"exec":{"mode":"allowlist"}}}');
});
afterAll(async () => {
  await model.setPatternScript(WORKERS, null);
  await patchConfig('{ tools: { exec: null } }');
  await api?.stop();
});

describe('exec policy and the check-in', () => {
  it('an allowlist without curl is named on the agent; allowing curl for that agent lets it check in', async () => {
    const gateway = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Exec ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200);
    const board = await api
      .user('post', '/api/v1/boards')
      .send({ name: `Exec ${suffix}`, description: 'd', gateway_id: gateway.body.id, create_lead: false })
      .expect(200);
    await model.setPatternScript(WORKERS, checkIn.obedient());
    const agent = (
      await api
        .user('post', '/api/v1/agents')
        .send({ name: `Exec ${suffix}`, board_id: board.body.id })
        .expect(200)
    ).body;
    await model.setScript(`mc-${agent.id}`, checkIn.obedient());
    expect(agent.last_provision_error).toMatch(/Check-ins will be refused by the gateway: .*allowlist.*allow-checkin/s);

    // The obedient agent tries, and the gateway refuses its curl: no check-in arrives.
    await model.waitForRequests(`mc-${agent.id}`, (r) => r.afterTool, 1, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.last_seen_at).toBeNull();

    const fixed = (await api.user('post', `/api/v1/agents/${agent.id}/allow-checkin`).expect(200)).body;
    expect(fixed.last_provision_error).toBeNull();
    const approvals = await gw<{ file: { agents: Record<string, { allowlist?: { pattern: string }[] }> } }>('exec.approvals.get');
    expect(approvals.file.agents[`mc-${agent.id}`]?.allowlist?.map((e) => e.pattern)).toContain('/usr/bin/curl');

    await api.user('post', `/api/v1/agents/${agent.id}/wake`).expect(200);
    const deadline = Date.now() + 30_000;
    let seen: string | null = null;
    while (!seen && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      seen = (await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.last_seen_at;
    }
    expect(seen).not.toBeNull();
    await api.user('delete', `/api/v1/agents/${agent.id}`).expect(200);
  }, 120_000);
});
