import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCalVer, parseCalVer, assertCompatible, REQUIRED_METHODS } from '../../backend/gateway/compat.js';
import { loadOrCreateDeviceIdentity, signConnect } from '../../backend/gateway/device-identity.js';
import { classifyGatewayError, classifySocketError, GatewayError } from '../../backend/gateway/errors.js';
import { connectParams, InboundFrame, signaturePayload } from '../../backend/gateway/protocol.js';
import { discoverLocalGateway } from '../../backend/gateway/discovery.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-gw-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('device identity', () => {
  it('is created once (0600), stable across loads, with id = sha256(raw public key)', () => {
    const file = join(dir, 'id', 'device.json');
    const a = loadOrCreateDeviceIdentity(file);
    const b = loadOrCreateDeviceIdentity(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(b.deviceId).toBe(a.deviceId);
    expect(b.publicKey).toBe(a.publicKey);
    const raw = Buffer.from(a.publicKey, 'base64url');
    expect(raw).toHaveLength(32);
    expect(a.deviceId).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(readFileSync(file, 'utf8')).toContain('PRIVATE KEY');
  });

  it('an unreadable identity file is replaced, not a crash', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{not json');
    expect(loadOrCreateDeviceIdentity(file).deviceId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the v3 payload the gateway verifies', () => {
    const identity = loadOrCreateDeviceIdentity(join(dir, 'sign.json'));
    const device = signConnect(identity, { nonce: 'nonce-1', ts: 1795270533634 }, { token: 'tok', deviceToken: null }, 'Linux');
    const payload = `v3|${identity.deviceId}|gateway-client|backend|operator|operator.read,operator.write,operator.admin|1795270533634|tok|nonce-1|linux|`;
    expect(
      signaturePayload({
        deviceId: identity.deviceId,
        role: 'operator',
        scopes: ['operator.read', 'operator.write', 'operator.admin'],
        signedAtMs: 1795270533634,
        token: 'tok',
        nonce: 'nonce-1',
        platform: 'Linux',
      }),
    ).toBe(payload);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(identity.publicKey, 'base64url')]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(payload), key, Buffer.from(device.signature, 'base64url'))).toBe(true);
    expect(device).toMatchObject({ id: identity.deviceId, signedAt: 1795270533634, nonce: 'nonce-1' });
  });

  it('connect params: protocol 4 only, backend client, token auth (device token only without a gateway token)', () => {
    const base = { clientVersion: '0.1.0', platform: 'linux', device: null };
    expect(connectParams({ ...base, token: 't', deviceToken: 'd' })).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      auth: { token: 't' },
      client: { id: 'gateway-client', mode: 'backend' },
    });
    expect(connectParams({ ...base, token: null, deviceToken: 'd' }).auth).toEqual({ deviceToken: 'd' });
    expect(connectParams({ ...base, token: null, deviceToken: null })).not.toHaveProperty('auth');
  });
});

describe('frames', () => {
  it('parses res and event frames, rejects others', () => {
    expect(InboundFrame.safeParse({ type: 'res', id: '1', ok: true, payload: { a: 1 } }).success).toBe(true);
    expect(InboundFrame.safeParse({ type: 'event', event: 'tick', payload: {}, seq: 3, extra: true }).success).toBe(true);
    expect(InboundFrame.safeParse({ type: 'res', ok: true }).success).toBe(false);
    expect(InboundFrame.safeParse({ type: 'what' }).success).toBe(false);
  });
});

describe('versions and capabilities', () => {
  it('compares CalVer numerically', () => {
    expect(parseCalVer('2026.9.6')).toEqual([2026, 9, 6, 0]);
    expect(parseCalVer('v2026.02.09-3')).toEqual([2026, 2, 9, 3]);
    expect(parseCalVer('dev')).toBeNull();
    expect(compareCalVer('2026.10.1', '2026.9.30')).toBeGreaterThan(0);
    expect(compareCalVer('2026.2.9', '2026.02.9')).toBe(0);
  });

  it('too old, unparseable and missing methods are classified', () => {
    const methods = [...REQUIRED_METHODS];
    expect(() => assertCompatible({ version: '2026.9.6', methods })).not.toThrow();
    expect(() => assertCompatible({ version: '2026.2.9', methods })).toThrow(expect.objectContaining({ code: 'version_too_old' }));
    expect(() => assertCompatible({ version: 'dev-build', methods })).toThrow(expect.objectContaining({ code: 'version_too_old' }));
    expect(() => assertCompatible({ version: '2026.9.6', methods: methods.slice(1) })).toThrow(
      expect.objectContaining({ code: 'method_not_advertised' }),
    );
  });
});

describe('failure classification (real gateway error bodies)', () => {
  it.each([
    [
      {
        code: 'INVALID_REQUEST',
        message: 'unauthorized: gateway token mismatch (provide gateway auth token)',
        details: { code: 'AUTH_TOKEN_MISMATCH' },
      },
      'token_mismatch',
    ],
    [
      { code: 'FORBIDDEN', message: 'missing scope: operator.read', details: { code: 'MISSING_SCOPE', missingScope: 'operator.read' } },
      'missing_scope',
    ],
    [{ code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { code: 'PROTOCOL_MISMATCH' } }, 'protocol_mismatch'],
    [{ code: 'INVALID_REQUEST', message: 'device signature invalid', details: { code: 'DEVICE_AUTH_SIGNATURE_INVALID' } }, 'device_auth'],
    [{ code: 'UNAVAILABLE', message: 'starting', details: { reason: 'startup-sidecars' }, retryAfterMs: 500 }, 'starting'],
    [{ code: 'INVALID_REQUEST', message: 'unsupported file "HEARTBEAT.md"' }, 'rejected'],
  ])('%o → %s', (body, code) => {
    const err = classifyGatewayError(body);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe(code);
    expect(err.nextStep.length).toBeGreaterThan(10);
  });

  it('socket errors: refused → unreachable, self-signed → tls', () => {
    expect(classifySocketError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })).code).toBe(
      'unreachable',
    );
    expect(classifySocketError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).code).toBe(
      'tls',
    );
  });
});

describe('local gateway discovery', () => {
  it('reads port and token from a JSON5 openclaw.json in the given HOME', () => {
    const home = join(dir, 'home');
    const state = join(home, '.openclaw');
    mkdirSync(state, { recursive: true });
    writeFileSync(
      join(state, 'openclaw.json'),
      '{ // json5\n gateway: { mode: "local", port: 19999, auth: { mode: "token", token: "abc" } }, }\n',
    );
    expect(discoverLocalGateway({ HOME: home })).toMatchObject({ found: true, url: 'ws://127.0.0.1:19999', token: 'abc', problem: null });
    expect(discoverLocalGateway({ HOME: join(dir, 'nobody') })).toMatchObject({ found: false, problem: null });
    writeFileSync(join(state, 'openclaw.json'), '{ broken');
    expect(discoverLocalGateway({ HOME: home }).problem).toMatch(/not valid JSON5/);
  });
});
