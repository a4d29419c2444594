import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { doctorCheck, doctorFix, until } from '../support/doctor.js';
import { startFakeOldGatewayProxy, type FakeOldGatewayProxy } from '../support/openclaw/fake-old-gateway-proxy.js';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';

/*
 * "Gateway too old" in its two wire-level forms. Gateway 2026.9.6 speaks only protocol 4 and always
 * advertises the core methods, so these two faults are injected by FakeOldGatewayProxy in front of the
 * REAL gateway (everything else — challenge, signed connect, hello, scopes, requests — is the real
 * gateway's): a hello-ok without a method we need, and the real gateway's own protocol refusal of a
 * connect whose protocol range the proxy rewrote. The operator's fix, "upgrade the gateway", is the proxy
 * no longer injecting; then `retest_gateway` must verify.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const MAIN = /^mc-gateway-/;
const suffix = randomBytes(3).toString('hex');

let proxy: FakeOldGatewayProxy;
let api: TestApi;
let gatewayId: string;

type Entry = { id: string; ok: boolean; code?: string; detail?: string; next_step?: string };
const entryOf = (c: DoctorCheckResult): Entry | undefined => (c.evidence.gateways as Entry[]).find((g) => g.id === gatewayId);

const failingWith = (code: string): Promise<DoctorCheckResult> =>
  until(
    `gateway.connection fails with ${code}`,
    () => doctorCheck(api, 'gateway.connection'),
    (c) => c.status === 'fail' && entryOf(c)?.code === code,
    30_000,
  );

beforeAll(async () => {
  await model.setPatternScript(MAIN, checkIn.obedient());
  proxy = await startFakeOldGatewayProxy(gatewayUrl);
  api = await startTestApi();
  // Added while the "gateway" is still current: nothing injected yet.
  gatewayId = (
    await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Old ${suffix}`, url: proxy.url, token: gatewayToken })
      .expect(200)
  ).body.id;
});

afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await model.setPatternScript(MAIN, null);
});

describe('doctor: a gateway too old for Mission Control (faults injected by FakeOldGatewayProxy in front of the real gateway)', () => {
  it('a needed method not advertised → method_not_advertised naming it, "upgrade the gateway" → gateway upgraded → re-test → verified', async () => {
    expect((await doctorCheck(api, 'gateway.connection')).status).toBe('ok');
    proxy.inject({ dropMethods: ['agents.files.set'] });
    try {
      const bad = await failingWith('method_not_advertised');
      expect(proxy.injected.hello).toBeGreaterThan(0);
      expect(entryOf(bad)?.detail).toBe('the gateway does not offer agents.files.set');
      expect(bad.explanation).toMatch(/does not offer a method Mission Control needs.*Upgrade OpenClaw on the gateway host/s);
      expect(bad.fixes).toContainEqual(expect.objectContaining({ action: 'retest_gateway', target_id: gatewayId }));
      // A connection test against it says the same (ok: false with the classified error).
      const refused = await api.user('post', '/api/v1/gateways/test').send({ url: proxy.url, token: gatewayToken });
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'method_not_advertised' } });
    } finally {
      proxy.stopInjecting(); // the gateway was upgraded
    }
    const result = await doctorFix(api, 'gateway.connection', { action: 'retest_gateway', target_id: gatewayId });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(entryOf(result.verify)).toMatchObject({ ok: true });
  }, 90_000);

  it('a gateway speaking protocol 3 → the real gateway’s protocol refusal classified protocol_mismatch, both protocols named → upgraded → re-test → verified', async () => {
    proxy.inject({ protocol: 3 });
    try {
      const bad = await failingWith('protocol_mismatch');
      expect(proxy.injected.connect).toBeGreaterThan(0);
      expect(proxy.injected.refusal, 'the real gateway refused the rewritten connect itself').toBeGreaterThan(0);
      expect(entryOf(bad)?.detail).toBe('protocol mismatch: the gateway speaks protocol 3, Mission Control speaks 4');
      expect(bad.explanation).toMatch(
        /speaks a different wire protocol than this version of Mission Control \(protocol 4\).*Update the gateway/s,
      );
      expect(bad.fixes).toContainEqual(expect.objectContaining({ action: 'retest_gateway', target_id: gatewayId }));
      // Re-testing before the upgrade does not pretend: still failing, not verified.
      const early = await doctorFix(api, 'gateway.connection', { action: 'retest_gateway', target_id: gatewayId });
      expect(early).toMatchObject({ verified: false, verify: { status: 'fail' } });
      expect(early.message).toMatch(/Still failing: protocol_mismatch/);
    } finally {
      proxy.stopInjecting();
    }
    const result = await doctorFix(api, 'gateway.connection', { action: 'retest_gateway', target_id: gatewayId });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(entryOf(result.verify)).toMatchObject({ ok: true, protocol: 4 });
  }, 90_000);
});
