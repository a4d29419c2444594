import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { startFakeHungGateway, type FakeHungGateway } from '../support/fake-hung-gateway.js';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';
import { trailOf, type TrailEvent } from '../support/trail.js';
import { WORKERS, boardOnGateway, createWorker, until, removeWorkers } from '../support/workers.js';

/*
 * Gateways are supervised independently: a gateway that hangs (every request waits for the 30 s
 * request timeout — a Fake, the one fault a real gateway cannot be made to produce) holds up only its
 * own agents. Meanwhile an agent on the real gateway is retried at its deadline and checks in.
 *
 * The timeline is laid out so the evidence does not depend on the machine's speed: the hung agent's
 * wakes each hang for one deadline (D), back to back, attempts 3 and 4 of 4. The real agent is created
 * D/2 into attempt 3, so its retry falls due near the middle of attempt 4 — D/2 from either edge. With
 * one lane for all gateways that retry would wait for attempt 4 to fail; with a lane per gateway it
 * starts while attempt 4 still hangs, which the trail shows.
 */

const DEADLINE_S = 8;
const MAX_WAKES = 4;
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const suffix = randomBytes(3).toString('hex');
let api: TestApi;
let fake: FakeHungGateway;
let realBoardId: string;
let hungAgentId: string;
const created: string[] = [];

const trail = (id: string) => trailOf(api, id);
const getAgent = async (id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body;

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: MAX_WAKES });
  fake = await startFakeHungGateway();
  ({ boardId: realBoardId } = await boardOnGateway(
    api,
    { name: `Lanes real ${suffix}`, url: gatewayUrl, token: gatewayToken },
    { name: `Lanes real ${suffix}` },
  ));
  const hung = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `FakeHung ${suffix}`, url: fake.url, token: 'fake-hung-token' })
    .expect(200);
  hungAgentId = hung.body.main_agent_id;
});

afterEach(async () => {
  await model.setPatternScript(WORKERS, null);
});

afterAll(async () => {
  await removeWorkers(api, model, created);
  await api?.stop(); // waits for the hung gateway's lane to time out
  await fake?.stop();
});

describe('gateways are supervised independently', () => {
  it('a hung gateway’s wakes do not delay the real gateway’s: its agent is retried at its deadline and checks in', async () => {
    // The hung gateway's own agent: provisioning it on save and the operator's wake each wait out the
    // request timeout and count as failed attempts whose deadline has passed, so a tick retries it —
    // in the hung gateway's lane, which hangs again for 30 s.
    const operatorWake = api.user('post', `/api/v1/agents/${hungAgentId}/wake`).then((res) => res.status);
    await until(
      'the hung gateway’s retry under way',
      async () => (await trail(hungAgentId)).some((e) => e.event === 'lifecycle.reconcile.retriggered'),
      75_000,
    );
    expect(await operatorWake).toBe(200);
    const laneStart = (await trail(hungAgentId)).find((e) => e.event === 'lifecycle.reconcile.retriggered')!;
    const laneStartedAt = Date.parse(laneStart.created_at);

    // Half a deadline into the hung agent's attempt 3, an agent on the real gateway that ignores its
    // first wake: only the supervisor's retry, due DEADLINE_S later, brings it online.
    await new Promise((r) => setTimeout(r, Math.max(0, laneStartedAt + (DEADLINE_S * 1000) / 2 - Date.now())));
    const real = await createWorker(api, model, realBoardId, `Lanes ${suffix}`, checkIn.late(1));
    created.push(real.id);
    await until('the real agent checked in', async () => (await getAgent(real.id)).last_seen_at !== null, 30_000);
    const online = await getAgent(real.id);
    expect(online).toMatchObject({ status: 'online', wake_attempts: 0 });
    await until(
      'the queued check ran',
      async () => (await trail(real.id)).some((e) => e.event === 'lifecycle.reconcile.skip_not_stuck'),
      15_000,
    );
    const realEvents = (await trail(real.id)).map((e) => e.event);
    // Retried at its deadline, then found checked in (a check before a deadline defers; a dropped wake is re-sent).
    const reconcile = realEvents.filter((e) => e === 'lifecycle.reconcile.retriggered' || e === 'lifecycle.reconcile.skip_not_stuck');
    expect(reconcile[0]).toBe('lifecycle.reconcile.retriggered');
    expect(reconcile.at(-1)).toBe('lifecycle.reconcile.skip_not_stuck');
    expect(realEvents).not.toContain('lifecycle.reconcile.max_attempts_reached');

    // The hung agent's wakes each end on their own deadline (not the connection's 30 s timeout), and its
    // ladder ends offline…
    let laneEnd: TrailEvent | undefined;
    await until(
      'the hung agent offline',
      async () => {
        laneEnd = (await trail(hungAgentId)).find(
          (e) => e.event === 'lifecycle.reconcile.max_attempts_reached' && Date.parse(e.created_at) > laneStartedAt,
        );
        return laneEnd !== undefined;
      },
      45_000,
    );
    const failed = (await trail(hungAgentId)).filter(
      (e) => e.event === 'lifecycle.wake.failed' && Date.parse(e.created_at) > laneStartedAt,
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const e of failed) expect(e.message).toMatch(new RegExp(`did not answer within \\d+ ms`));
    // The real agent's retry started while one of the hung agent's wakes was still hanging: it did not
    // wait for the hung gateway. (Its check-in follows when the real gateway has run the turn, which on
    // a loaded machine can come after the hung ladder's end; the retry's own time is what lanes decide.)
    const retriedAt = Date.parse((await trail(real.id)).find((e) => e.event === 'lifecycle.reconcile.retriggered')!.created_at);
    const hungTrail = await trail(hungAgentId);
    const hangingThen = hungTrail
      .filter((e) => e.event === 'lifecycle.reconcile.retriggered')
      .map((start) => ({
        startedAt: Date.parse(start.created_at),
        failedAt: Date.parse(
          hungTrail.find((e) => e.event === 'lifecycle.wake.failed' && Date.parse(e.created_at) >= Date.parse(start.created_at))
            ?.created_at ?? 'none',
        ),
      }))
      .filter((w) => w.startedAt < retriedAt && w.failedAt > retriedAt);
    expect(hangingThen, `no hung wake in flight at the real retry (${new Date(retriedAt).toISOString()})`).toHaveLength(1);
    expect(retriedAt).toBeLessThan(Date.parse(laneEnd!.created_at));
    expect(Date.parse(online.last_seen_at)).toBeGreaterThan(retriedAt);
    // One wake at a time per agent: no retry of the hung agent was dropped as a duplicate.
    expect((await trail(hungAgentId)).filter((e) => e.event === 'lifecycle.reconcile.skip_stale_generation')).toEqual([]);
    expect(fake.unanswered().length).toBeGreaterThanOrEqual(3);
  }, 150_000);
});
