import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newId } from '../../backend/core/ids.js';
import { createMessageDispatcher } from '../../backend/lifecycle/message-dispatcher.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { doctorFix, until } from '../support/doctor.js';
import { startFakeHungGateway, type FakeHungGateway } from '../support/fake-hung-gateway.js';
import { startReverseProxy, type ReverseProxy } from '../support/openclaw/reverse-proxy.js';

/*
 * The outbox dispatcher and the gateway connections under faults (#13 item 11), on the real gateway:
 *   - a gateway that refuses our token is not redialled on every dispatcher pass, only on the redial
 *     schedule — while a user's re-test or new credentials dial at once. Connect attempts are counted
 *     by a plain TCP proxy in front of the real gateway (every connect attempt is one connection to it).
 *   - one hung gateway (the FakeHungGateway: handshake, then no answer ever) with a backlog of messages
 *     does not starve another gateway's: each gateway is served in its own lane with its own batch.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const suffix = randomBytes(3).toString('hex');
let api: TestApi;
let proxy: ReverseProxy;
let fake: FakeHungGateway;

beforeAll(async () => {
  api = await startTestApi();
  proxy = await startReverseProxy(Number(new URL(gatewayUrl).port));
  fake = await startFakeHungGateway();
});
afterAll(async () => {
  await api?.stop(); // prompt: the hung gateway's requests are rejected on stop
  await proxy?.close();
  await fake?.stop();
});

/** Queue a message for an agent's session, `ageMs` old (the outbox is served oldest first). */
function enqueue(agentId: string, ageMs: number): string {
  const id = newId();
  api.backend.services.ctx.sqlite
    .prepare(
      "INSERT INTO agent_messages (id, agent_id, kind, message, deliver, status, attempts, created_at) VALUES (?, ?, 'test.note', ?, 0, 'pending', 0, ?)",
    )
    .run(id, agentId, `note ${id}`, Date.now() - ageMs);
  return id;
}
const messageRow = (id: string) =>
  api.backend.services.ctx.sqlite.prepare('SELECT status, attempts, last_error AS lastError FROM agent_messages WHERE id = ?').get(id) as {
    status: string;
    attempts: number;
    lastError: string | null;
  };

describe('gateway refusals and the outbox', () => {
  it('a gateway refusing our token is redialled on its backoff, not on every dispatcher pass; a re-test and new credentials dial at once', async () => {
    const created = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Redial ${suffix}`, url: proxy.url, token: gatewayToken })
      .expect(200);
    const gatewayId = created.body.id as string;
    const mainAgentId = created.body.main_agent_id as string;
    const status = async () => (await api.user('get', `/api/v1/gateways/${gatewayId}/status`).expect(200)).body;
    await until('connected', status, (s) => s.state === 'connected', 20_000);
    const before = proxy.accepted;
    // The gateway's token is now wrong (as after it was rotated on the gateway host), and no device token to fall back on.
    api.backend.services.ctx.sqlite
      .prepare("UPDATE gateways SET token = 'not-the-gateway-token', device_token = NULL WHERE id = ?")
      .run(gatewayId);
    enqueue(mainAgentId, 0);
    const dispatcher = createMessageDispatcher({ ctx: api.backend.services.ctx, manager: managerOf(api) });
    const PASSES = 10;
    for (let i = 0; i < PASSES; i++) {
      await dispatcher.tick();
      // Let the dial of this pass (if any) be refused before the next pass.
      await until(
        'the connection settled',
        async () => managerOf(api).status(gatewayId).state,
        (s) => s !== 'connecting',
        10_000,
      );
    }
    const dialled = proxy.accepted - before;
    expect(managerOf(api).status(gatewayId)).toMatchObject({ state: 'failed', error: { code: 'token_mismatch' } });
    // One dial with the new (wrong) settings; the redial schedule's first step (5 s) had not come yet.
    expect(dialled).toBe(1);
    expect(managerOf(api).redialAt(gatewayId)).not.toBeNull();

    // The user's re-test (the doctor's fix) dials now.
    const retest = await doctorFix(api, 'gateway.connection', { action: 'retest_gateway', target_id: gatewayId, verify_wait_seconds: 0 });
    expect(retest.message).toMatch(/Still failing: token_mismatch/);
    expect(proxy.accepted - before).toBeGreaterThanOrEqual(2);

    // New credentials: tested and connected at once.
    await api.user('patch', `/api/v1/gateways/${gatewayId}`).send({ token: gatewayToken }).expect(200);
    await until('connected again', status, (s) => s.state === 'connected', 20_000);
  }, 90_000);

  it('a hung gateway with a backlog does not starve another gateway’s messages: each is served in its own lane', async () => {
    const real = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Fair real ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200);
    await until(
      'real connected',
      async () => managerOf(api).status(real.body.id).state,
      (s) => s === 'connected',
      20_000,
    );
    // Saving the fake provisions its main agent, which hangs; the record is there at once.
    void api
      .user('post', '/api/v1/gateways')
      .send({ name: `FakeHung fair ${suffix}`, url: fake.url, token: 'fake-hung-token' })
      .catch(() => undefined);
    const hungAgentId = await until(
      'the hung gateway saved',
      async () =>
        api.backend.services.ctx.sqlite
          .prepare('SELECT a.id FROM agents a JOIN gateways g ON g.id = a.gateway_id WHERE g.url = ?')
          .pluck()
          .get(fake.url) as string | undefined,
      (id) => id !== undefined,
      10_000,
    );
    // A backlog on the hung gateway, all older than the real gateway's one message.
    const hungMessages = Array.from({ length: 60 }, (_, i) => enqueue(hungAgentId!, 60_000 + i));
    const realMessage = enqueue(real.body.main_agent_id as string, 0);

    // The app's own dispatcher (one pass a second) delivers the real gateway's message while the hung one waits.
    await until(
      'the real gateway’s message sent',
      async () => messageRow(realMessage).status,
      (s) => s === 'sent',
      20_000,
    );
    expect(fake.unanswered()).toContain('chat.send'); // the hung gateway's lane is indeed stuck on a delivery
    expect(hungMessages.map((id) => messageRow(id).status).filter((s) => s !== 'pending')).toEqual([]);
    const activity = (await api.user('get', `/api/v1/activity?agent_id=${real.body.main_agent_id as string}`).expect(200)).body.items as {
      event_type: string;
    }[];
    expect(activity.map((a) => a.event_type)).toContain('test.note.notified');
  }, 90_000);
});

const managerOf = (t: TestApi) => t.backend.services.manager;
