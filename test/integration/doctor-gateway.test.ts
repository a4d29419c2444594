import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { patchGatewayConfig } from '../support/openclaw/config-patch.js';
import { doctorCheck, doctorFix, until } from '../support/doctor.js';
import { type DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';
import { runOpenClawCli } from '../support/openclaw/gateway.js';
import { startReverseProxy, type ReverseProxy } from '../support/openclaw/reverse-proxy.js';
import { ensureOpenClawRuntime } from '../support/openclaw/runtime.js';

/*
 * The doctor's gateway checks against the real gateway, each on a Mission Control of its own: a token
 * the gateway no longer accepts, a gateway below the minimum version, and pairing and scopes. The
 * agent-side checks and a stopped gateway are in doctor.test.ts; protocol mismatch in
 * doctor-old-gateway.test.ts; TLS in doctor-tls.test.ts.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const gatewayState = { homeDir: inject('homeDir'), stateDir: inject('stateDir') };
const model = modelControl(inject('modelUrl'));
const MAIN = /^mc-gateway-/;
const suffix = randomBytes(3).toString('hex');

type Check = DoctorCheckResult;
const check = doctorCheck;
const fix = doctorFix;

const patchConfig = (raw: string) => patchGatewayConfig(gatewayUrl, gatewayToken, raw);

// Main agents check in, so nothing but the gateway is ever at fault here.
beforeAll(() => model.setPatternScript(MAIN, checkIn.obedient()));
afterAll(() => model.setPatternScript(MAIN, null));

describe('doctor: the gateway’s token and version on the real gateway', () => {
  it('gateway token mismatch (the gateway’s token changed, its device pairing gone) → new token saved + re-test → verified', async () => {
    const own = await startTestApi();
    try {
      const id = (
        await own
          .user('post', '/api/v1/gateways')
          .send({ name: `Mismatch ${suffix}`, url: gatewayUrl, token: gatewayToken })
          .expect(200)
      ).body.id;
      // What a reset gateway leaves us with: a stored token it no longer accepts and no device token.
      own.backend.services.ctx.sqlite
        .prepare('UPDATE gateways SET token = ?, device_token = NULL WHERE id = ?')
        .run(`wrong-${randomBytes(12).toString('hex')}`, id);
      const bad = await check(own, 'gateway.connection');
      expect(bad.status).toBe('fail');
      expect(bad.explanation).toMatch(/The gateway refused the token.*gateway\.auth\.token/s);
      expect(bad.evidence.gateways).toContainEqual(expect.objectContaining({ id, code: 'token_mismatch' }));
      expect(bad.fixes).toContainEqual(expect.objectContaining({ action: 'retest_gateway', target_id: id }));
      await own.user('patch', `/api/v1/gateways/${id}`).send({ token: gatewayToken }).expect(200);
      expect(await fix(own, 'gateway.connection', { action: 'retest_gateway', target_id: id })).toMatchObject({
        verified: true,
        verify: { status: 'ok' },
      });
    } finally {
      await own.stop();
    }
  }, 90_000);

  it('gateway below the minimum version → named with both versions; with a minimum it meets → verified', async () => {
    const first = await startTestApi();
    const dataDir = first.dataDir;
    await first
      .user('post', '/api/v1/gateways')
      .send({ name: `Version ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200);
    await first.stop(false);
    const strict = await startTestApi({ dataDir, gatewayMinVersion: '2099.1.1' });
    try {
      const c = await check(strict, 'gateway.connection');
      expect(c.status).toBe('fail');
      expect(c.explanation).toMatch(/older than the minimum version.*Upgrade OpenClaw/s);
      expect(c.evidence.gateways).toContainEqual(
        expect.objectContaining({
          code: 'version_too_old',
          detail: expect.stringMatching(/2026\.\d+\.\d+ is older than the minimum 2099\.1\.1/),
        }),
      );
    } finally {
      await strict.stop(false);
    }
    const ok = await startTestApi({ dataDir });
    try {
      expect((await check(ok, 'gateway.connection')).status).toBe('ok');
    } finally {
      await ok.stop();
    }
  }, 90_000);
});

/*
 * Pairing and scopes. On loopback the gateway lets our backend client (gateway-client/backend with the
 * gateway token) in without pairing at all (`openclaw devices list` shows no device for it), so no config
 * makes it ask. A remote Mission Control is asked: here it reaches the gateway through a reverse proxy
 * the gateway trusts (gateway.trustedProxies) that forwards a remote client address, as nginx in front of
 * a remote gateway does. The approval is the gateway's own CLI on the gateway's state, as on its host.
 */
describe('doctor: pairing and scopes on the real gateway (Mission Control remote, behind a reverse proxy)', () => {
  const REMOTE_IP = '198.51.100.7'; // TEST-NET-2: not loopback, not private
  let proxy: ReverseProxy;
  const cli = async (args: string[]) => runOpenClawCli(await ensureOpenClawRuntime(), gatewayState, args);
  const deviceIdOf = (t: TestApi) =>
    (JSON.parse(readFileSync(join(t.dataDir, 'gateway-device.json'), 'utf8')) as { deviceId: string }).deviceId;
  const entryOf = (c: Check, id: string) =>
    (c.evidence.gateways as { id: string; code?: string; detail?: string; next_step?: string }[]).find((g) => g.id === id)!;
  /** A fresh Mission Control (new data dir = new device identity) with the gateway added through the proxy. */
  async function remoteMissionControl(name: string): Promise<{ own: TestApi; id: string }> {
    const own = await startTestApi();
    const res = await own.user('post', '/api/v1/gateways').send({ name: `${name} ${suffix}`, url: proxy.url, token: gatewayToken });
    if (res.status !== 200) {
      await own.stop();
      throw new Error(`adding the gateway through the proxy failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return { own, id: res.body.id as string };
  }

  const untrustProxy = () =>
    patchGatewayConfig(gatewayUrl, gatewayToken, '{ gateway: { trustedProxies: null } }', ['gateway.trustedProxies']);

  beforeAll(async () => {
    proxy = await startReverseProxy(Number(new URL(gatewayUrl).port));
  });
  afterAll(async () => {
    await proxy?.close();
    await untrustProxy().catch(() => undefined);
  });

  it('pairing required: the gateway’s own request id in the exact approve command → run on the gateway host → re-test → verified', async () => {
    // Added while the proxy still forwards plainly (to the gateway, a local backend client).
    const { own, id } = await remoteMissionControl('Remote');
    try {
      await patchConfig(JSON.stringify({ gateway: { trustedProxies: ['127.0.0.1'] } }));
      proxy.headers['x-forwarded-for'] = REMOTE_IP;
      proxy.dropAll();
      const bad = await until(
        'pairing required',
        () => check(own, 'gateway.connection'),
        (c) => c.status === 'fail' && entryOf(c, id).code === 'pairing_required',
        30_000,
      );
      expect(bad.explanation).toMatch(/does not know this device yet.*On the gateway host run: openclaw devices approve /s);
      expect(bad.fixes).toContainEqual(expect.objectContaining({ action: 'retest_gateway', target_id: id }));
      // The pending request as the gateway itself lists it (its CLI, not our client).
      const listed = await cli(['devices', 'list', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const pending = (JSON.parse(listed.stdout) as { pending: { requestId: string; deviceId: string; remoteIp?: string }[] }).pending.find(
        (p) => p.deviceId === deviceIdOf(own),
      );
      expect(pending, 'the gateway lists a pending pairing request for our device').toBeDefined();
      expect(pending!.remoteIp).toBe(REMOTE_IP);
      const step = entryOf(bad, id).next_step!;
      expect(step).toContain(`openclaw devices approve ${pending!.requestId}`);

      // The operator runs exactly the command the doctor showed.
      const command = /openclaw (devices approve \S+)/.exec(step)![1]!.split(' ');
      const approved = await cli(command);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toContain(`Approved ${deviceIdOf(own)}`);
      expect(await fix(own, 'gateway.connection', { action: 'retest_gateway', target_id: id })).toMatchObject({
        verified: true,
        verify: { status: 'ok' },
      });
    } finally {
      delete proxy.headers['x-forwarded-for'];
      await untrustProxy();
      await own.stop();
    }
  }, 120_000);

  it('missing scope: a proxy capping the scopes (x-openclaw-scopes) → granted vs missing named, with the way out → proxy widened → re-test → verified', async () => {
    const { own, id } = await remoteMissionControl('Capped');
    try {
      proxy.headers['x-openclaw-scopes'] = 'operator.read';
      proxy.dropAll();
      const bad = await until(
        'missing scope',
        () => check(own, 'gateway.connection'),
        (c) => c.status === 'fail' && entryOf(c, id).code === 'missing_scope',
        30_000,
      );
      const entry = entryOf(bad, id);
      expect(entry.detail).toBe('granted scopes: [operator.read]; missing operator.write, operator.admin');
      expect(bad.explanation).toMatch(/did not grant the operator scopes Mission Control needs/);
      expect(entry.next_step).toMatch(/x-openclaw-scopes.*openclaw devices list.*scope upgrade of device [0-9a-f]{64}/s);
      // What the operator fixes on the proxy; our client reconnects on the re-test.
      delete proxy.headers['x-openclaw-scopes'];
      expect(await fix(own, 'gateway.connection', { action: 'retest_gateway', target_id: id })).toMatchObject({
        verified: true,
        verify: {
          status: 'ok',
          evidence: { gateways: [expect.objectContaining({ id, scopes: expect.arrayContaining(['operator.admin']) })] },
        },
      });
    } finally {
      delete proxy.headers['x-openclaw-scopes'];
      await own.stop();
    }
  }, 120_000);
});
