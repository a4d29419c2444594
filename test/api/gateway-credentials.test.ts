import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateways } from '../../backend/db/schema.js';
import { OFFLINE_GATEWAY_URL, startTestApi, type TestApi } from '../support/api.js';

/*
 * #13 item 8: credentials go only to the gateway they were given for. Refusals are answered before
 * anything is sent (422 naming the field); what is stored for the old host (device token, pin) is
 * dropped when the URL names another one. Nothing listens on the addresses used here: the checks that
 * are allowed fail as "unreachable" and are saved with allow_offline.
 */

const DISCOVERED_TOKEN = 'discovered-local-token-0123456789';
let api: TestApi;
const home = mkdtempSync(join(tmpdir(), 'mc-creds-home-'));

beforeAll(async () => {
  // The gateway "on this machine": port 9, where nothing listens (so it is found, but offline).
  mkdirSync(join(home, '.openclaw'), { recursive: true });
  writeFileSync(
    join(home, '.openclaw', 'openclaw.json'),
    JSON.stringify({ gateway: { mode: 'local', port: 9, auth: { mode: 'token', token: DISCOVERED_TOKEN } } }),
  );
  api = await startTestApi({}, { env: { HOME: home } });
});

afterAll(async () => {
  await api?.stop();
  rmSync(home, { recursive: true, force: true });
});

const fieldsOf = (body: { detail: unknown }) => JSON.stringify(body.detail);
const rowOf = (id: string) => api.backend.services.ctx.db.select().from(gateways).where(eq(gateways.id, id)).get()!;

async function savedGateway(token: string | null) {
  const res = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `Creds ${Math.random().toString(36).slice(2, 7)}`, url: OFFLINE_GATEWAY_URL, token, allow_offline: true })
    .expect(200);
  return res.body as { id: string };
}

describe('a URL change to another gateway needs its credentials again', () => {
  it('another port without a new token is a 422 naming token; nothing is changed', async () => {
    const gw = await savedGateway('token-for-port-9');
    const res = await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: 'ws://127.0.0.1:10', allow_offline: true });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ loc: ['body', 'token'] });
    expect(res.body.detail.message).toMatch(/another gateway/);
    expect(rowOf(gw.id)).toMatchObject({ url: OFFLINE_GATEWAY_URL, token: 'token-for-port-9' });
  });

  it('another host with a new token: saved, and the old host’s device token and pin are dropped', async () => {
    const gw = await savedGateway('token-for-port-9');
    const oldPin = 'AB:'.repeat(31) + 'AB';
    api.backend.services.ctx.db
      .update(gateways)
      .set({ deviceToken: 'device-token-issued-by-port-9', tlsFingerprint: oldPin })
      .where(eq(gateways.id, gw.id))
      .run();
    await api
      .user('patch', `/api/v1/gateways/${gw.id}`)
      .send({ url: 'ws://localhost:10', token: 'token-for-port-10', allow_offline: true })
      .expect(200);
    expect(rowOf(gw.id)).toMatchObject({
      url: 'ws://localhost:10',
      token: 'token-for-port-10',
      deviceToken: null,
      tlsFingerprint: null,
    });
  });

  it('the same gateway under another loopback name or scheme keeps its credentials', async () => {
    const gw = await savedGateway('token-for-port-9');
    api.backend.services.ctx.db.update(gateways).set({ deviceToken: 'device-token-9' }).where(eq(gateways.id, gw.id)).run();
    await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: 'ws://localhost:9', allow_offline: true }).expect(200);
    expect(rowOf(gw.id)).toMatchObject({ url: 'ws://localhost:9', token: 'token-for-port-9', deviceToken: 'device-token-9' });
  });

  it('token: null moves to another host without a token', async () => {
    const gw = await savedGateway('token-for-port-9');
    await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: 'ws://127.0.0.1:11', token: null, allow_offline: true }).expect(200);
    expect(rowOf(gw.id)).toMatchObject({ url: 'ws://127.0.0.1:11', token: null });
  });
});

describe('the discovered token goes only to the gateway it was discovered for', () => {
  it('use_discovered_token with another port or host is a 422 naming use_discovered_token (create and test)', async () => {
    for (const url of ['ws://127.0.0.1:10', 'wss://127.0.0.2.nip.example:9']) {
      const created = await api
        .user('post', '/api/v1/gateways')
        .send({ name: 'Elsewhere', url, use_discovered_token: true, allow_offline: true });
      expect(created.status).toBe(422);
      expect(created.body.detail).toMatchObject({ loc: ['body', 'use_discovered_token'] });
      expect(created.body.detail.message).toContain('ws://127.0.0.1:9');
      const tested = await api.user('post', '/api/v1/gateways/test').send({ url, use_discovered_token: true });
      expect(tested.status).toBe(422);
      expect(fieldsOf(tested.body)).toContain('use_discovered_token');
      expect(JSON.stringify([created.body, tested.body])).not.toContain(DISCOVERED_TOKEN);
    }
  });

  it('use_discovered_token with the discovered gateway’s own URL (or localhost for it) is accepted', async () => {
    const res = await api
      .user('post', '/api/v1/gateways')
      .send({ name: 'This machine', url: 'ws://localhost:9', use_discovered_token: true, allow_offline: true })
      .expect(200);
    expect(res.body.has_token).toBe(true);
    expect(rowOf(res.body.id).token).toBe(DISCOVERED_TOKEN);
  });
});

describe('plain ws:// to another machine needs the user’s confirmation', () => {
  const remote = 'ws://0.0.0.0:9';

  it('create, test and update are refused without allow_cleartext (422 naming it)', async () => {
    const created = await api.user('post', '/api/v1/gateways').send({ name: 'Remote', url: remote, token: 't', allow_offline: true });
    expect(created.status).toBe(422);
    expect(fieldsOf(created.body)).toContain('allow_cleartext');
    expect(fieldsOf(created.body)).toMatch(/in clear/);
    const tested = await api.user('post', '/api/v1/gateways/test').send({ url: remote, token: 't' });
    expect(tested.status).toBe(422);
    expect(fieldsOf(tested.body)).toContain('allow_cleartext');
    const gw = await savedGateway(null);
    const updated = await api.user('patch', `/api/v1/gateways/${gw.id}`).send({ url: remote, allow_offline: true });
    expect(updated.status).toBe(422);
    expect(fieldsOf(updated.body)).toContain('allow_cleartext');
  });

  it('is accepted when confirmed; wss:// and loopback ws:// need no confirmation', async () => {
    await api
      .user('post', '/api/v1/gateways')
      .send({ name: 'Remote ok', url: remote, token: 't', allow_offline: true, allow_cleartext: true })
      .expect(200);
    await api.user('post', '/api/v1/gateways').send({ name: 'Loopback', url: 'ws://[::1]:9', allow_offline: true }).expect(200);
    const tested = await api.user('post', '/api/v1/gateways/test').send({ url: 'wss://0.0.0.0:9' });
    expect(tested.status).toBe(200);
  });
});
