import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { fileSecretStore, type SecretStore } from '../secret-store.js';
import { OPERATOR_SCOPES, signaturePayload } from './protocol.js';

/*
 * Mission Control's own Ed25519 device identity. The gateway grants operator scopes to a token
 * connection only together with a signed device identity (on loopback it auto-pairs it and issues a
 * device token). The identity is generated once, kept 0600 in the data dir, and stable across
 * restarts; it is the app's own, not the OpenClaw CLI's (~/.openclaw/identity), so removing the app
 * never breaks the user's CLI pairing.
 */

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const StoredIdentity = z.object({
  version: z.literal(1),
  deviceId: z.string(),
  publicKeyPem: z.string(),
  /** Plain PEM (headless, or no OS keychain) … */
  privateKeyPem: z.string().optional(),
  /** … or the PEM sealed by the OS keychain (desktop). */
  privateKeySealed: z.string().optional(),
  createdAtMs: z.number(),
});

export interface DeviceIdentity {
  deviceId: string;
  /** base64url (no padding) of the raw 32-byte public key. */
  publicKey: string;
  privateKey: KeyObject;
  createdAtMs: number;
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  if (der.length !== SPKI_ED25519_PREFIX.length + 32 || !der.subarray(0, SPKI_ED25519_PREFIX.length).equals(SPKI_ED25519_PREFIX)) {
    throw new Error('device identity: not an Ed25519 public key');
  }
  return der.subarray(SPKI_ED25519_PREFIX.length);
}

function fromKeys(publicKey: KeyObject, privateKey: KeyObject, createdAtMs: number): DeviceIdentity {
  const raw = rawPublicKey(publicKey);
  return {
    deviceId: createHash('sha256').update(raw).digest('hex'),
    publicKey: raw.toString('base64url'),
    privateKey,
    createdAtMs,
  };
}

function save(file: string, publicKey: KeyObject, privateKey: KeyObject, identity: DeviceIdentity, secrets: SecretStore): void {
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const stored: z.infer<typeof StoredIdentity> = {
    version: 1,
    deviceId: identity.deviceId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ...(secrets.kind === 'file' ? { privateKeyPem } : { privateKeySealed: secrets.seal(privateKeyPem) }),
    createdAtMs: identity.createdAtMs,
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Load the identity from `file`, creating it (0600) on first use or when the file is unusable —
 * including a key sealed by a keychain this process cannot open (the gateway pairs the new one).
 * A plain key met by an OS-keychain store is sealed in place.
 */
export function loadOrCreateDeviceIdentity(file: string, now = Date.now(), secrets: SecretStore = fileSecretStore): DeviceIdentity {
  if (existsSync(file)) {
    try {
      const stored = StoredIdentity.parse(JSON.parse(readFileSync(file, 'utf8')));
      chmodSync(file, 0o600);
      const pem = stored.privateKeySealed !== undefined ? secrets.open(stored.privateKeySealed) : stored.privateKeyPem;
      if (pem === undefined) throw new Error('device identity: no private key');
      const publicKey = createPublicKey(stored.publicKeyPem);
      const privateKey = createPrivateKey(pem);
      // The id is derived again from the key: a hand-edited id must not be trusted.
      const identity = fromKeys(publicKey, privateKey, stored.createdAtMs);
      if (secrets.kind === 'os' && stored.privateKeySealed === undefined) save(file, publicKey, privateKey, identity, secrets);
      return identity;
    } catch {
      // fall through: an unreadable identity is replaced (the gateway will pair the new one)
    }
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const identity = fromKeys(publicKey, privateKey, now);
  save(file, publicKey, privateKey, identity, secrets);
  return identity;
}

/** The signed `device` block of a connect request, answering the server's challenge. */
export function signConnect(
  identity: DeviceIdentity,
  challenge: { nonce: string; ts: number },
  auth: { token: string | null; deviceToken: string | null },
  platform: string,
) {
  const payload = signaturePayload({
    deviceId: identity.deviceId,
    role: 'operator',
    scopes: OPERATOR_SCOPES,
    signedAtMs: challenge.ts,
    token: auth.token ?? auth.deviceToken ?? '',
    nonce: challenge.nonce,
    platform,
  });
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature: sign(null, Buffer.from(payload, 'utf8'), identity.privateKey).toString('base64url'),
    signedAt: challenge.ts,
    nonce: challenge.nonce,
  };
}
