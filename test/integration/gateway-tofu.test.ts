import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gateways } from '../../backend/db/schema.js';
import type { TestApi } from '../support/api.js';
import { doctorCheck, until } from '../support/doctor.js';
import type { RunningGateway } from '../support/openclaw/gateway.js';
import { startTlsSetup, type TlsSetup } from '../support/openclaw/tls-gateway.js';
import { makeSelfSignedCert, opensslFingerprint } from '../support/tls.js';

/*
 * #13 item 8, "allow insecure TLS" is trust on first use, on a real gateway serving wss with its own
 * self-signed certificate (as in doctor-tls.test.ts): saving the gateway pins the certificate its check
 * connection accepted; a gateway saved before this (allowed, no pin) is pinned at its next successful
 * connect; a later different certificate is refused as "certificate changed" — where it used to be
 * accepted, whatever it was — and the doctor offers to trust the new one after comparing.
 */

const suffix = randomBytes(3).toString('hex');

let tls: TlsSetup | undefined;
let gw: RunningGateway;
let api: TestApi;
let gatewayId: string;

const rowOf = (id: string) => api.backend.services.ctx.db.select().from(gateways).where(eq(gateways.id, id)).get()!;

beforeAll(async () => {
  tls = await startTlsSetup(inject('modelUrl'));
  ({ gw, api } = tls);
});
afterAll(async () => {
  await tls?.stop();
});

describe('allow_insecure_tls pins the certificate seen first (TOFU) on the real gateway', () => {
  it('saving the gateway pins the self-signed certificate it was checked with', async () => {
    const served = opensslFingerprint(gw.tlsFiles!.cert);
    const res = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `TOFU ${suffix}`, url: gw.url, token: gw.token, allow_insecure_tls: true })
      .expect(200);
    gatewayId = res.body.id;
    expect(res.body).toMatchObject({ allow_insecure_tls: true, tls_fingerprint: served, protocol_version: 4 });
  }, 120_000);

  it('a gateway saved allowed-but-unpinned (before TOFU) is pinned at its next successful connect', async () => {
    const served = opensslFingerprint(gw.tlsFiles!.cert);
    api.backend.services.ctx.db.update(gateways).set({ tlsFingerprint: null }).where(eq(gateways.id, gatewayId)).run();
    // The next use of the connection (here: the status read) connects with the row as it is now.
    const status = await api.user('get', `/api/v1/gateways/${gatewayId}/status`).expect(200);
    expect(status.body).toMatchObject({ ok: true, state: 'connected' });
    await until(
      'the first-use pin is saved',
      async () => rowOf(gatewayId).tlsFingerprint,
      (pin) => pin === served,
      30_000,
    );
    const activity = await api.user('get', '/api/v1/activity?event_type=gateway.certificate_pinned').expect(200);
    expect((activity.body.items as { message: string }[]).map((a) => a.message)).toContainEqual(
      expect.stringContaining(`SHA-256 ${served} pinned on first use`),
    );
  }, 120_000);

  it('a later different certificate is refused as "certificate changed", and the doctor offers to trust it', async () => {
    const old = opensslFingerprint(gw.tlsFiles!.cert);
    const { certFile: cert, keyFile: key } = makeSelfSignedCert(tls!.scratch, 'openclaw-other', 'IP:127.0.0.1');
    const other = opensslFingerprint(cert);
    await gw.halt();
    renameSync(key, gw.tlsFiles!.key);
    renameSync(cert, gw.tlsFiles!.cert);
    await gw.restart();

    const failed = await until(
      'the gateway connection is refused with tls',
      async () => (await api.user('get', `/api/v1/gateways/${gatewayId}`).expect(200)).body,
      (g) => g.last_error?.code === 'tls',
      90_000,
    );
    expect(failed.last_error.detail).toBe(`certificate changed: the pinned certificate is SHA-256 ${old}, the gateway presented ${other}`);
    expect(failed.tls_fingerprint).toBe(old);
    const check = await doctorCheck(api, 'gateway.connection');
    expect(check.fixes.find((f) => f.action === 'trust_gateway_certificate' && f.target_id === gatewayId)).toMatchObject({
      fingerprint: other,
      destructive: true,
    });
    // Testing the same settings unsaved is refused too: a test connection starts from the pin given, or none.
    const test = await api
      .user('post', '/api/v1/gateways/test')
      .send({ url: gw.url, token: gw.token, allow_insecure_tls: true, tls_fingerprint: old })
      .expect(200);
    expect(test.body).toMatchObject({ ok: false, error: { code: 'tls' } });
  }, 180_000);
});
