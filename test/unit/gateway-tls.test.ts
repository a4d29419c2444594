import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySocketError, TlsRefusal } from '../../backend/gateway/errors.js';
import { normalizeFingerprint, verifyingTlsConnect, type TlsPolicy } from '../../backend/gateway/tls.js';
import { makeSelfSignedCert, opensslFingerprint } from '../support/tls.js';

/*
 * The certificate verdict of backend/gateway/tls.ts against a real TLS server with certificates made by
 * openssl now (nothing committed): Node still checks chain and host name, a pin accepts exactly its
 * certificate, "allow insecure" pins the first one it accepts (trust on first use), and every refusal
 * carries the certificate it saw. The whole path against the real gateway's own TLS is
 * test/integration/doctor-tls.test.ts and test/integration/gateway-tofu.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'mc-tls-unit-'));
let server: Server;
let port: number;
let cert: string;
let fingerprint: string;
/** Someone else answering at the gateway's address: another self-signed certificate. */
let otherServer: Server;
let otherPort: number;
let otherFingerprint: string;

/** Connect with the policy; resolves 'accepted' or rejects with what the socket failed with. */
const connectWith = (policy: TlsPolicy, extra: Record<string, unknown> = {}) => connectVia(verifyingTlsConnect(policy), port, extra);

/** Connect with a connect function (one connection's, kept across its reconnects) to a port. */
function connectVia(fn: ReturnType<typeof verifyingTlsConnect>, to: number, extra: Record<string, unknown> = {}): Promise<'accepted'> {
  return new Promise((resolve, reject) => {
    const socket = fn({ host: '127.0.0.1', port: to, ...extra });
    socket.once('error', reject);
    // After our verdict (a refusal destroys the socket in the same secureConnect turn).
    socket.once('secureConnect', () =>
      setImmediate(() => {
        if (socket.destroyed) return;
        socket.end();
        resolve('accepted');
      }),
    );
  });
}

beforeAll(async () => {
  const files = makeSelfSignedCert(dir, 'gateway-under-test', 'IP:127.0.0.1');
  cert = readFileSync(files.certFile, 'utf8');
  fingerprint = opensslFingerprint(files.certFile);
  server = createServer({ cert, key: readFileSync(files.keyFile, 'utf8') }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const other = makeSelfSignedCert(dir, 'someone-else', 'IP:127.0.0.1');
  otherFingerprint = opensslFingerprint(other.certFile);
  otherServer = createServer({ cert: readFileSync(other.certFile), key: readFileSync(other.keyFile) }, (s) => s.end());
  await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
  otherPort = (otherServer.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => otherServer.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway TLS verdict', () => {
  it('self-signed, no pin: refused with the certificate it saw (fingerprint as openssl prints it)', async () => {
    const err = (await connectWith({ allowInsecure: false, pinnedFingerprint: null }).catch((e: unknown) => e)) as TlsRefusal;
    expect(err).toBeInstanceOf(TlsRefusal);
    expect(err.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(err.certificate).toMatchObject({ fingerprint_sha256: fingerprint, subject: 'CN=gateway-under-test', self_signed: true });
    const classified = classifySocketError(err);
    expect(classified.code).toBe('tls');
    expect(classified.detail).toBe(`self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT), SHA-256 ${fingerprint}`);
    expect(classified.details).toEqual({ certificate: err.certificate });
  });

  it('pinned: exactly that certificate is accepted (any spelling of the fingerprint); another pin is "certificate changed"', async () => {
    const lower = fingerprint.replace(/:/g, '').toLowerCase();
    expect(normalizeFingerprint(lower)).toBe(fingerprint);
    await expect(connectWith({ allowInsecure: false, pinnedFingerprint: lower })).resolves.toBe('accepted');
    const other = 'AB:'.repeat(31) + 'AB';
    const err = (await connectWith({ allowInsecure: false, pinnedFingerprint: other }).catch((e: unknown) => e)) as TlsRefusal;
    expect(err.code).toBe('CERT_PIN_MISMATCH');
    expect(err.message).toBe(`certificate changed: the pinned certificate is SHA-256 ${other}, the gateway presented ${fingerprint}`);
    expect(classifySocketError(err).details).toEqual({ certificate: err.certificate, pinned_fingerprint: other });
  });

  it('a pin wins over "allow insecure": a different certificate is refused even with the switch on', async () => {
    await expect(connectWith({ allowInsecure: true, pinnedFingerprint: null })).resolves.toBe('accepted');
    const err = (await connectWith({ allowInsecure: true, pinnedFingerprint: 'CD'.repeat(32) }).catch((e: unknown) => e)) as TlsRefusal;
    expect(err.code).toBe('CERT_PIN_MISMATCH');
  });

  it('"allow insecure" is trust on first use: the first certificate is accepted and reported, a different one later is "certificate changed"', async () => {
    const seen: string[] = [];
    // One connection's connect function, as kept across its reconnects (the pin is not saved yet).
    const fn = verifyingTlsConnect({ allowInsecure: true, pinnedFingerprint: null }, (fp) => seen.push(fp));
    await expect(connectVia(fn, port)).resolves.toBe('accepted');
    expect(seen).toEqual([fingerprint]);
    const err = (await connectVia(fn, otherPort).catch((e: unknown) => e)) as TlsRefusal;
    expect(err).toBeInstanceOf(TlsRefusal);
    expect(err.code).toBe('CERT_PIN_MISMATCH');
    expect(err.message).toBe(
      `certificate changed: the pinned certificate is SHA-256 ${fingerprint}, the gateway presented ${otherFingerprint}`,
    );
    await expect(connectVia(fn, port)).resolves.toBe('accepted');
    expect(seen).toEqual([fingerprint, fingerprint]);
  });

  it('Node still verifies: a trusted CA and the right host → accepted; the same certificate for another host name → refused', async () => {
    await expect(connectWith({ allowInsecure: false, pinnedFingerprint: null }, { ca: cert })).resolves.toBe('accepted');
    const err = (await connectWith({ allowInsecure: false, pinnedFingerprint: null }, { ca: cert, servername: 'other.example' }).catch(
      (e: unknown) => e,
    )) as TlsRefusal;
    expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(classifySocketError(err).detail).toMatch(/certificate is for another host name/);
  });
});
