import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { doctorCheck } from '../support/doctor.js';
import { patchGatewayConfig } from '../support/openclaw/config-patch.js';

/*
 * The doctor names the same-OS-user exposure from the REAL gateway's own exec policy: the test gateway
 * runs on loopback as this test's user with OpenClaw's default (exec security "full") → a warning with
 * the remedies; switched to an exec allowlist with config.patch → the finding is gone. The shared
 * gateway's config is restored afterwards.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const suffix = randomBytes(3).toString('hex');
let api: TestApi;
let gatewayId: string | undefined;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await patchGatewayConfig(gatewayUrl, gatewayToken, '{ tools: { exec: null } }');
  if (gatewayId) await api.user('delete', `/api/v1/gateways/${gatewayId}`);
  await api?.stop();
});

describe('doctor: a gateway on this machine whose agents run any command as this OS user', () => {
  it('warns with the remedies under the default policy, and not once the gateway uses an allowlist', async () => {
    gatewayId = (
      await api.user('post', '/api/v1/gateways').send({ name: `Same user ${suffix}`, url: gatewayUrl, token: gatewayToken }).expect(200)
    ).body.id as string;

    const before = await doctorCheck(api, 'gateway.same_user_exec');
    expect(before.status).toBe('warn');
    expect(before.explanation).toMatch(/exec security “full”/);
    expect(before.explanation).toMatch(/separate OS user/);
    expect(before.explanation).toMatch(/allowlist/);
    const exposed = before.evidence.exposed as { gateway_id: string; user: string; default_security: string }[];
    expect(exposed.map((e) => e.gateway_id)).toEqual([gatewayId]);
    expect(exposed[0]?.default_security).toBe('full');
    expect(exposed[0]?.user).toMatch(/belongs to your OS user/); // the test gateway runs as this user

    await patchGatewayConfig(gatewayUrl, gatewayToken, '{"tools":{"exec":{"mode":"allowlist"}}}');
    const after = await doctorCheck(api, 'gateway.same_user_exec');
    expect(after.status).toBe('ok');
    expect(after.evidence.exposed).toEqual([]);
    expect(JSON.stringify(after.evidence.not_exposed)).toMatch(/allowlist/);
  }, 120_000);
});
