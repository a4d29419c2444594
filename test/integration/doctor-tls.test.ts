import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import type { TestApi } from '../support/api.js';
import { doctorCheck, doctorFix, until } from '../support/doctor.js';
import { makeSelfSignedCert, opensslFingerprint } from '../support/tls.js';
import type { RunningGateway } from '../support/openclaw/gateway.js';
import { startTlsSetup, type TlsSetup } from '../support/openclaw/tls-gateway.js';

/*
 * TLS, for real: a second real gateway serving wss with its own TLS (`gateway.tls.enabled`, the
 * certificate it generates itself at first start, self-signed). Mission Control refuses it (`tls`), the
 * doctor shows the certificate from the real handshake — checked here against `openssl` on the file the
 * gateway serves — the user pins it (`trust_gateway_certificate`, confirmed) and the check verifies. Then
 * the gateway's certificate is renewed (a new pair made by `openssl` now, put in place of the served
 * files and the gateway restarted, as an operator renewing it would) and the pinned connection refuses it
 * as "certificate changed", naming the old and the new fingerprint, until the new one is trusted.
 */

const suffix = randomBytes(3).toString('hex');

let tls: TlsSetup | undefined;
let gw: RunningGateway;
let api: TestApi;
let gatewayId: string;

type Entry = {
  id: string;
  ok: boolean;
  code?: string;
  detail?: string;
  next_step?: string;
  pinned_fingerprint?: string | null;
  certificate?: { fingerprint_sha256: string; subject: string; self_signed: boolean; valid_to: string };
};
const entryOf = (c: DoctorCheckResult): Entry => (c.evidence.gateways as Entry[]).find((g) => g.id === gatewayId)!;

/** The fingerprint the gateway serves right now, read with Node's TLS (no product code). */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}

/** The doctor's fix, confirmed, pinning exactly `fingerprint`. */
const trustCertificate = (fingerprint: string | null) =>
  doctorFix(api, 'gateway.connection', { action: 'trust_gateway_certificate', target_id: gatewayId, fingerprint, confirm: true });

const failingTls = () =>
  until(
    'gateway.connection fails with tls',
    () => doctorCheck(api, 'gateway.connection'),
    (c) => c.status === 'fail' && entryOf(c)?.code === 'tls',
    // The persistent connection reconnects with backoff after the gateway's restart.
    90_000,
  );

beforeAll(async () => {
  tls = await startTlsSetup(inject('modelUrl'));
  ({ gw, api } = tls);
});

afterAll(async () => {
  await tls?.stop();
});

describe('doctor: TLS on the real gateway (its own wss, self-signed)', () => {
  it('adding a wss gateway with a self-signed certificate is refused with the certificate from the handshake', async () => {
    expect(gw.url).toMatch(/^wss:/);
    const res = await api.user('post', '/api/v1/gateways').send({ name: `TLS ${suffix}`, url: gw.url, token: gw.token });
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatchObject({
      code: 'tls',
      certificate: { fingerprint_sha256: opensslFingerprint(gw.tlsFiles!.cert), self_signed: true },
    });
    expect(res.body.detail.detail).toMatch(/self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(JSON.stringify(res.body)).not.toContain(gw.token);
  }, 60_000);

  it('self-signed: detected as tls with SHA-256, subject and expiry → trust (pin, confirmed) → verified', async () => {
    // Saved while the gateway was down (a retry can fix "unreachable"), then it came up with its certificate.
    await gw.halt();
    try {
      const saved = await api
        .user('post', '/api/v1/gateways')
        .send({ name: `TLS ${suffix}`, url: gw.url, token: gw.token, allow_offline: true })
        .expect(200);
      gatewayId = saved.body.id;
      expect(saved.body.tls_fingerprint).toBeNull();
    } finally {
      await gw.restart();
    }
    const fingerprint = opensslFingerprint(gw.tlsFiles!.cert);

    const bad = await failingTls();
    const entry = entryOf(bad);
    expect(entry.certificate).toMatchObject({ fingerprint_sha256: fingerprint, self_signed: true });
    expect(Date.parse(entry.certificate!.valid_to)).toBeGreaterThan(Date.now());
    expect(entry.pinned_fingerprint).toBeNull();
    expect(bad.explanation).toMatch(/TLS certificate was not accepted/);
    expect(entry.next_step).toContain(`The gateway presents SHA-256 ${fingerprint}`);
    expect(entry.next_step).toMatch(/openssl x509 -in ~\/.openclaw\/gateway\/tls\/gateway-cert.pem -noout -fingerprint -sha256/);
    const trust = bad.fixes.find((f) => f.action === 'trust_gateway_certificate');
    expect(trust).toMatchObject({ target_id: gatewayId, destructive: true, fingerprint });

    // Trusting a certificate without a CA asks first, and pins only the fingerprint the user compared.
    const noConfirm = await api
      .user('post', '/api/v1/doctor/fix')
      .send({ check_id: 'gateway.connection', action: 'trust_gateway_certificate', target_id: gatewayId, fingerprint });
    expect(noConfirm.status).toBe(422);
    expect(JSON.stringify(noConfirm.body)).toContain('confirm');
    const noFingerprint = await api
      .user('post', '/api/v1/doctor/fix')
      .send({ check_id: 'gateway.connection', action: 'trust_gateway_certificate', target_id: gatewayId, confirm: true });
    expect(noFingerprint.status).toBe(422);
    expect(JSON.stringify(noFingerprint.body)).toContain('fingerprint');

    const result = await trustCertificate(trust!.fingerprint);
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(entryOf(result.verify)).toMatchObject({ ok: true, pinned_fingerprint: fingerprint, protocol: 4 });
    expect((await api.user('get', `/api/v1/gateways/${gatewayId}`).expect(200)).body.tls_fingerprint).toBe(fingerprint);
    // The pin is public, the token is not: nowhere in Mission Control's log.
    api.backend.logger.flush();
    expect(readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8')).not.toContain(gw.token);
  }, 180_000);

  it('certificate changed (renewed on the gateway) → refused with old and new fingerprints → a wrong pin does not verify → trust the new one → verified', async () => {
    const old = opensslFingerprint(gw.tlsFiles!.cert);
    // The operator renews the certificate: a new pair moved over the files the gateway serves, and the
    // gateway restarted (a hot renewal keeps open connections on the old certificate until they drop).
    const { certFile: cert, keyFile: key } = makeSelfSignedCert(tls!.scratch, 'openclaw-renewed', 'IP:127.0.0.1');
    const renewed = opensslFingerprint(cert);
    expect(renewed).not.toBe(old);
    await gw.halt();
    renameSync(key, gw.tlsFiles!.key);
    renameSync(cert, gw.tlsFiles!.cert);
    await gw.restart();
    expect(await servedFingerprint(gw.url)).toBe(renewed);

    const bad = await failingTls();
    const entry = entryOf(bad);
    expect(entry.detail).toBe(`certificate changed: the pinned certificate is SHA-256 ${old}, the gateway presented ${renewed}`);
    expect(entry).toMatchObject({ pinned_fingerprint: old, certificate: { fingerprint_sha256: renewed, subject: 'CN=openclaw-renewed' } });
    expect(entry.next_step).toMatch(
      new RegExp(`The certificate changed: Mission Control pinned ${old}, the gateway now presents SHA-256 ${renewed}`),
    );
    expect(entry.next_step).toMatch(/if nobody changed it, do not/);
    const trust = bad.fixes.find((f) => f.action === 'trust_gateway_certificate');
    expect(trust).toMatchObject({ fingerprint: renewed, destructive: true });

    // Pinning anything but the served certificate is not a fix: the check runs again and still fails.
    const wrong = await trustCertificate(old.replace(/:/g, '').toLowerCase());
    expect(wrong).toMatchObject({ verified: false, verify: { status: 'fail' } });

    const result = await trustCertificate(trust!.fingerprint);
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(entryOf(result.verify)).toMatchObject({ ok: true, pinned_fingerprint: renewed });
  }, 180_000);
});
