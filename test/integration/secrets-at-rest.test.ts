import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SEALED_PREFIX } from '../../backend/gateway/credential-vault.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { until } from '../support/doctor.js';
import { TestKeyringStore } from '../support/test-keyring-store.js';

/*
 * Sealed gateway credentials against the REAL gateway: the gateway token is stored sealed, is nowhere
 * in the database file's bytes, and the app connects with what it opens from the seal — also after a
 * restart, from the seal alone. TestKeyringStore stands in for the OS keychain.
 *
 * Device tokens: on loopback the real gateway skips device pairing for a local backend client
 * (`gateway-client`/`backend` with the shared token), so it issues Mission Control no device token
 * here. Their sealing, migration and unreadable state are covered in test/api/sealed-credentials.test.ts;
 * this test asserts the column stays empty or sealed, never plain.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const keyring = new TestKeyringStore();
let api: TestApi | undefined;

afterAll(async () => {
  await api?.stop();
});

function rawDatabase(dir: string): Buffer {
  const files = ['mission-control.db', 'mission-control.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

function storedColumns(dir: string, id: string) {
  const db = new Database(join(dir, 'mission-control.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT token, device_token FROM gateways WHERE id = ?').get(id) as { token: string | null; device_token: string | null };
  } finally {
    db.close();
  }
}

const connected = (id: string) =>
  until(
    'connected',
    async () => (await api!.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body,
    (s) => s.ok === true,
    30_000,
  );

describe('gateway credentials sealed at rest, on the real gateway', () => {
  it('connects with the sealed gateway token, and after a restart from the seal alone', async () => {
    api = await startTestApi({}, { secretStore: keyring });
    const dir = api.dataDir;
    const gw = (await api.user('post', '/api/v1/gateways').send({ name: 'Sealed real', url: gatewayUrl, token: gatewayToken }).expect(200)).body;
    expect((await connected(gw.id)).scopes).toContain('operator.admin');
    const stored = storedColumns(dir, gw.id);
    expect(stored.token?.startsWith(SEALED_PREFIX)).toBe(true);
    expect(keyring.open(stored.token!.slice(SEALED_PREFIX.length))).toBe(gatewayToken);
    expect(stored.device_token === null || stored.device_token.startsWith(SEALED_PREFIX)).toBe(true);
    expect(rawDatabase(dir).includes(gatewayToken)).toBe(false);

    await api.stop(false);
    const openedBefore = keyring.opened;
    api = await startTestApi({ dataDir: dir }, { secretStore: keyring });
    const again = await connected(gw.id);
    // The app opened the seal itself, and the real gateway accepted what it opened.
    expect(keyring.opened).toBeGreaterThan(openedBefore);
    expect(again.scopes).toContain('operator.admin');
    await api.user('delete', `/api/v1/gateways/${gw.id}`).expect(200);
    await api.stop(false);
    expect(rawDatabase(dir).includes(gatewayToken)).toBe(false);
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
