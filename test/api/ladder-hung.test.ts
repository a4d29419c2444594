import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';
import { until } from '../support/doctor.js';
import { startFakeHungGateway, type FakeHungGateway } from '../support/fake-hung-gateway.js';
import { trailOf, type TrailEvent } from '../support/trail.js';

/*
 * A hung gateway (FAKE: it completes the handshake and never answers — a real gateway cannot be made
 * to hang on demand). Each agent of it — main, lead, workers — ends offline within deadline × attempts
 * plus its ticks, read from the trail's recorded times (not the test's clock): wakes run side by side,
 * each counted when it starts and none waiting longer than its deadline. And POST /wake answers before
 * the gateway does.
 */
const DEADLINE_S = 2;
const ATTEMPTS = 3;
let api: TestApi;
let fake: FakeHungGateway;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: ATTEMPTS });
  fake = await startFakeHungGateway();
  f = fixtures(api);
});
afterAll(async () => {
  await api?.stop();
  await fake?.stop();
});

const trail = (id: string) => trailOf(api, id);
const at = (e: TrailEvent) => Date.parse(e.created_at);

describe('a hung gateway', () => {
  it('every agent of it ends offline within deadline × attempts + ticks; POST /wake answers before the gateway', async () => {
    // Created while unreachable (each first wake fails fast), then pointed at the hung gateway.
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id, create_lead: true });
    const workers = [await f.agent(board.id), await f.agent(board.id)];
    const agentIds = (await api.user('get', `/api/v1/agents?board_id=${board.id}&limit=50`).expect(200)).body.items.map(
      (a: { id: string }) => a.id,
    ) as string[];
    const ids = [gateway.main_agent_id, ...agentIds];
    expect(ids).toHaveLength(4);
    expect(ids).toEqual(expect.arrayContaining(workers.map((w) => w.id)));
    await api.user('patch', `/api/v1/gateways/${gateway.id}`).send({ url: fake.url, allow_offline: true }).expect(200);

    // The operator's wake on the main agent: answered with the attempt counted, before the gateway says anything.
    const woken = (await api.user('post', `/api/v1/agents/${gateway.main_agent_id}/wake`).expect(200)).body;
    expect(woken.wake_attempts).toBe(1);
    const newest = (await trail(gateway.main_agent_id)).at(-1)!;
    expect(newest.event).toBe('lifecycle.queue.enqueued'); // no outcome yet: the wake is still at the gateway

    for (const id of ids) {
      await until('offline', async () => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body.status, (s) => s === 'offline', 30_000);
    }
    for (const id of ids) {
      const events = await trail(id);
      const armed = events.filter((e) => e.event === 'lifecycle.queue.enqueued');
      const last = armed.at(-ATTEMPTS)!; // the ladder's first wake (the operator's restarted the main agent's)
      const offline = events.find((e) => e.event === 'lifecycle.reconcile.max_attempts_reached' && at(e) >= at(last))!;
      expect(offline, id).toBeDefined();
      // Each step: counted when it starts, the next one no earlier than the deadline it armed. How much
      // later depends on the machine's load, so the bound is read from the evidence, not the clock: every
      // hung wake gave up within its own step's deadline (the old serial wakes waited out the connection's
      // 30 s request timeout, one agent after another).
      const ladder = armed.slice(-ATTEMPTS);
      for (let i = 1; i < ladder.length; i++) {
        expect(at(ladder[i]!) - at(ladder[i - 1]!), `${id} step ${i}`).toBeGreaterThanOrEqual(DEADLINE_S * 1000);
      }
      const failed = events.filter((e) => e.event === 'lifecycle.wake.failed' && at(e) > at(ladder[0]!));
      expect(failed.length, id).toBeGreaterThanOrEqual(ATTEMPTS - 1);
      for (const e of failed) {
        const waited = Number(/did not answer within (\d+) ms/.exec(e.message)?.[1]);
        expect(waited, `${id}: ${e.message}`).toBeLessThanOrEqual(DEADLINE_S * 1000);
      }
    }
    expect(fake.unanswered().length).toBeGreaterThanOrEqual(ids.length * (ATTEMPTS - 1));
  }, 60_000);
});
