import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEALED_PREFIX } from '../../backend/gateway/credential-vault.js';
import { fileSecretStore } from '../../backend/secret-store.js';
import { OFFLINE_GATEWAY_URL, startTestApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { TestKeyringStore } from '../support/test-keyring-store.js';

/*
 * Gateway tokens and device tokens at rest (docs/security.md, "Secrets at rest and a gateway on the
 * same OS user"): with an OS-keychain store the SQLite file holds them sealed — read as raw bytes,
 * the database and its WAL contain none of them — plain rows from before are sealed on start, and a
 * sealed token that cannot be opened is a clear state (re-enter the token), never a 5xx.
 * TestKeyringStore stands in for the OS keychain (test/support/test-keyring-store.ts).
 */

const dirs: string[] = [];
const running: TestApi[] = [];
afterEach(async () => {
  for (const api of running.splice(0)) await api.stop(false).catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-sealed-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, secretStore: TestKeyringStore | typeof fileSecretStore): Promise<TestApi> {
  const api = await startTestApi({ dataDir: dir, logLevel: 'info' }, { secretStore });
  running.push(api);
  return api;
}

async function stop(api: TestApi): Promise<void> {
  running.splice(running.indexOf(api), 1);
  await api.stop(false);
}

/** The database file and its WAL, as bytes on disk (what a process reading the data dir gets). */
function rawDatabase(dir: string): Buffer {
  const files = ['mission-control.db', 'mission-control.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

const columns = (dir: string) => {
  const db = new Database(join(dir, 'mission-control.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, token, device_token FROM gateways').all() as { id: string; token: string | null; device_token: string | null }[];
  } finally {
    db.close();
  }
};

const secret = (name: string) => `${name}-${Math.random().toString(36).slice(2)}${'x'.repeat(24)}`;

describe('gateway credentials at rest', () => {
  it('with the OS keychain the database file never holds a gateway token, before or after it is replaced', async () => {
    const dir = dataDir();
    const keyring = new TestKeyringStore();
    const api = await start(dir, keyring);
    const first = secret('gw-first');
    const second = secret('gw-second');
    const gw = (
      await api.user('post', '/api/v1/gateways').send({ name: 'Sealed', url: OFFLINE_GATEWAY_URL, token: first, allow_offline: true }).expect(200)
    ).body;
    expect(gw.has_token).toBe(true);
    await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ token: second, allow_offline: true }).expect(200);
    expect(rawDatabase(dir).includes(first)).toBe(false);
    expect(rawDatabase(dir).includes(second)).toBe(false);
    await stop(api);

    const bytes = rawDatabase(dir);
    expect(bytes.includes(first)).toBe(false);
    expect(bytes.includes(second)).toBe(false);
    const [row] = columns(dir);
    expect(row?.token?.startsWith(SEALED_PREFIX)).toBe(true);
    expect(keyring.open(row!.token!.slice(SEALED_PREFIX.length))).toBe(second); // sealed, not lost
  });

  it('plain rows from a headless run are sealed on the next desktop start, old bytes gone from the file', async () => {
    const dir = dataDir();
    const token = secret('gw-plain');
    const deviceToken = secret('device-plain');
    const headless = await start(dir, fileSecretStore);
    const gw = (
      await headless.user('post', '/api/v1/gateways').send({ name: 'Plain', url: OFFLINE_GATEWAY_URL, token, allow_offline: true }).expect(200)
    ).body;
    await stop(headless);
    // A device token the gateway issued earlier (only a real gateway issues one; see the integration test).
    const db = new Database(join(dir, 'mission-control.db'));
    db.prepare('UPDATE gateways SET device_token = ? WHERE id = ?').run(deviceToken, gw.id);
    db.close();
    expect(rawDatabase(dir).includes(token)).toBe(true); // headless keeps the file store: plain, 0600
    expect(rawDatabase(dir).includes(deviceToken)).toBe(true);

    const keyring = new TestKeyringStore();
    const desktop = await start(dir, keyring);
    expect(rawDatabase(dir).includes(token)).toBe(false);
    expect(rawDatabase(dir).includes(deviceToken)).toBe(false);
    expect((await desktop.user('get', `/api/v1/gateways/${gw.id}`).expect(200)).body.has_token).toBe(true);
    await stop(desktop);
    const bytes = rawDatabase(dir);
    expect(bytes.includes(token)).toBe(false);
    expect(bytes.includes(deviceToken)).toBe(false);
    const [row] = columns(dir);
    expect(keyring.open(row!.token!.slice(SEALED_PREFIX.length))).toBe(token);
    expect(keyring.open(row!.device_token!.slice(SEALED_PREFIX.length))).toBe(deviceToken);
    const log = readFileSync(join(dir, 'logs', 'mission-control.log'), 'utf8');
    expect(log).toContain('"event":"secrets.sealed_at_rest"');
    expect(log).not.toContain(token);
    expect(log).not.toContain(deviceToken);
  });

  it('the CLI on a desktop data dir (app not running) says to re-enter the token instead of failing obscurely', async () => {
    const dir = dataDir();
    const desktop = await start(dir, new TestKeyringStore());
    const gw = (
      await desktop.user('post', '/api/v1/gateways').send({ name: 'CLI', url: OFFLINE_GATEWAY_URL, token: secret('gw-cli'), allow_offline: true }).expect(200)
    ).body;
    await stop(desktop);
    const sync = await runCli(['templates', 'sync', '--gateway-id', gw.id], { MC_DATA_DIR: dir });
    expect(sync.code).toBe(1);
    expect(sync.err).toMatch(/409: .*cannot open the gateway token.*Re-enter the gateway token/s);
  }, 60_000);

  it.each([
    ['another keychain (another user, or the keychain was reset)', () => new TestKeyringStore(), /OS keychain could not open/],
    ['the headless server on a desktop data dir', () => fileSecretStore, /headless server or CLI/],
  ])('a sealed token that %s cannot open is "re-enter the token": 200s and 409s, never a 5xx', async (_name, other, detail) => {
    const dir = dataDir();
    const token = secret('gw-sealed');
    const desktop = await start(dir, new TestKeyringStore());
    const gw = (
      await desktop.user('post', '/api/v1/gateways').send({ name: 'Locked', url: OFFLINE_GATEWAY_URL, token, allow_offline: true }).expect(200)
    ).body;
    const board = (
      await desktop.user('post', '/api/v1/boards').send({ name: 'B', description: 'd', gateway_id: gw.id, create_lead: false }).expect(200)
    ).body;
    await stop(desktop);

    const api = await start(dir, other());
    const status = (await api.user('get', `/api/v1/gateways/${gw.id}/status`).expect(200)).body;
    expect(status.ok).toBe(false);
    expect(status.error.code).toBe('credentials_unreadable');
    expect(status.error.detail).toMatch(detail);
    expect(status.error.next_step).toMatch(/Re-enter the gateway token/);
    const read = (await api.user('get', `/api/v1/gateways/${gw.id}`).expect(200)).body;
    expect(read.has_token).toBe(true);
    expect(read.connection_state).toBe('failed');
    expect(read.last_error.code).toBe('credentials_unreadable');

    const sync = await api.user('post', `/api/v1/gateways/${gw.id}/templates/sync`).expect(409);
    expect(sync.body.detail.code).toBe('credentials_unreadable');
    expect((await api.user('get', `/api/v1/gateways/${gw.id}/templates/drift`)).status).toBe(409);
    // Another name for the same gateway needs the token to check the address again: asked for, not guessed.
    const moved = await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: 'ws://localhost:9', allow_offline: true }).expect(409);
    expect(moved.body.detail.next_step).toMatch(/Re-enter the gateway token/);
    // Another gateway never gets the stored token at all: its own is asked for (docs/security.md).
    const elsewhere = await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: 'ws://127.0.0.1:10', allow_offline: true }).expect(422);
    expect(JSON.stringify(elsewhere.body)).toContain('token');
    await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ name: 'Renamed' }).expect(200);
    const doctor = (await api.user('get', '/api/v1/doctor').expect(200)).body as { checks: { id: string; explanation: string }[] };
    expect(doctor.checks.find((c) => c.id === 'gateway.connection')?.explanation).toMatch(/cannot open the gateway token/);

    // Re-entering the token is the way out: the gateway is dialled again (offline here: unreachable, not unreadable).
    await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ token, allow_offline: true }).expect(200);
    const after = (await api.user('get', `/api/v1/gateways/${gw.id}/status`).expect(200)).body;
    expect(after.error.code).toBe('unreachable');
    expect(board.gateway_id).toBe(gw.id);
  });
});
