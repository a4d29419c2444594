import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, manualClock, startTestApi, type TestApi } from '../support/api.js';
import { until } from '../support/doctor.js';

/*
 * The ladder's bookkeeping, driven by a hand-moved clock and explicit ticks, with a gateway that is
 * unreachable: every wake fails, each failure counts, and the agent ends offline with the gateway's
 * reason — it is never left "provisioning". (The ladder with real agents is in test/integration.)
 */
const clock = manualClock();
let api: TestApi;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: 30, maxWakeAttempts: 3 }, { now: clock.now });
  await api.backend.services.wakeLadder.stop(); // ticks are driven by the test
  f = fixtures(api);
});
afterAll(async () => {
  await api.stop();
});

const agentOf = async (id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body;

describe('the check-in ladder with an unreachable gateway', () => {
  it('three counted attempts 30 s apart, then offline with the gateway reason; events in order', async () => {
    const board = await f.board();
    const created = (
      await api
        .user('post', '/api/v1/agents')
        .send({ name: f.unique('Ladder'), board_id: board.id })
        .expect(200)
    ).body;
    expect(created).toMatchObject({ wake_attempts: 1, status: 'provisioning' });
    expect(created.last_provision_error).toMatch(/Nothing answered at the gateway URL/);
    expect(Date.parse(created.checkin_deadline_at)).toBe(clock.now().getTime() + 30_000);

    await api.backend.services.wakeLadder.tick(); // before the deadline: nothing is due
    expect((await agentOf(created.id)).wake_attempts).toBe(1);

    clock.advance(30_000);
    await api.backend.services.wakeLadder.tick();
    expect(await agentOf(created.id)).toMatchObject({ wake_attempts: 2, status: 'provisioning' });

    clock.advance(30_000);
    await api.backend.services.wakeLadder.tick();
    expect((await agentOf(created.id)).wake_attempts).toBe(3);

    clock.advance(30_000);
    await api.backend.services.wakeLadder.tick();
    const final = await agentOf(created.id);
    expect(final).toMatchObject({ status: 'offline', wake_attempts: 3, checkin_deadline_at: null });
    expect(final.last_provision_error).toMatch(/max wake attempts reached.*Nothing answered at the gateway URL/s);

    const logs = (await api.user('get', `/api/v1/logs?event=lifecycle.reconcile.*&agent_id=${created.id}`).expect(200)).body;
    expect(logs.items.map((e: { event: string }) => e.event).reverse()).toEqual([
      'lifecycle.reconcile.retriggered',
      'lifecycle.reconcile.retriggered',
      'lifecycle.reconcile.max_attempts_reached',
    ]);
    const timeline = (await api.user('get', `/api/v1/agents/${created.id}/lifecycle`).expect(200)).body;
    expect(timeline).toMatchObject({ max_wake_attempts: 3, checkin_deadline_seconds: 30 });
    expect(timeline.events.map((e: { event: string }) => e.event)).toContain('lifecycle.wake.failed');

    clock.advance(300_000);
    await api.backend.services.wakeLadder.tick(); // nothing more happens
    expect((await agentOf(created.id)).wake_attempts).toBe(3);
  });

  it('a check-in mid-ladder resets it (lifecycle.checkin); the queued check then finds it not stuck', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    clock.advance(30_000);
    await api.backend.services.wakeLadder.tick();
    expect((await agentOf(agent.id)).wake_attempts).toBe(2);
    const hb = await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    expect(hb.body).toMatchObject({ status: 'online', wake_attempts: 0, checkin_deadline_at: null, last_provision_error: null });
    const events = async () =>
      ((await api.user('get', `/api/v1/logs?agent_id=${agent.id}&limit=100`).expect(200)).body.items as { event: string }[])
        .map((e) => e.event)
        .reverse();
    expect((await events()).slice(-1)).toEqual(['lifecycle.checkin']);
    clock.advance(15_000); // the check queued at the retry's wake runs and finds the check-in
    await api.backend.services.wakeLadder.tick();
    expect((await events()).slice(-3)).toEqual(['lifecycle.checkin', 'lifecycle.reconcile.skip_not_stuck', 'queue.worker.success']);
    clock.advance(120_000);
    await api.backend.services.wakeLadder.tick();
    expect((await agentOf(agent.id)).wake_attempts).toBe(0);
    expect((await events()).filter((e) => e === 'lifecycle.reconcile.skip_not_stuck')).toHaveLength(1);
  });

  it('POST /wake answers with the new cycle counted at once; the outcome follows in the trail', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const woken = (await api.user('post', `/api/v1/agents/${agent.id}/wake`).expect(200)).body;
    expect(woken).toMatchObject({ wake_attempts: 1, checkin_deadline_at: new Date(clock.now().getTime() + 30_000).toISOString() });
    const failed = await until(
      'the wake’s outcome',
      async () => (await agentOf(agent.id)).last_provision_error as string | null,
      (e) => e !== null,
      10_000,
    );
    expect(failed).toMatch(/Nothing answered/);
    await api.user('get', '/api/v1/logs?event=lifecycle.%25').expect(422);
  });
});
