import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_LEVEL } from '../../backend/config.js';
import { fixtures, manualClock, startTestApi, type TestApi } from '../support/api.js';

/*
 * The seed's log events, each in the situation the seed names, at the app's default log level, in
 * /api/v1/logs, the agent's timeline and the log file — driven by a hand-moved clock and explicit
 * ticks, with an unreachable gateway (every wake fails: the agent is "not checking in"). The healthy
 * flow with real agents on the real gateway is test/integration/ladder-kinds.test.ts.
 */
const clock = manualClock();
let api: TestApi;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: 30, maxWakeAttempts: 3, logLevel: DEFAULT_LOG_LEVEL }, { now: clock.now });
  await api.backend.services.wakeLadder.stop(); // ticks are driven by the test
  f = fixtures(api);
});
afterAll(async () => {
  await api.stop();
});

interface Row {
  event: string;
  message: string;
  data: Record<string, unknown>;
}
const logs = async (agentId: string): Promise<Row[]> =>
  ((await api.user('get', `/api/v1/logs?agent_id=${agentId}&limit=200`).expect(200)).body.items as Row[]).reverse();
const ladder = (rows: Row[]) =>
  rows.map((r) => r.event).filter((e) => e.startsWith('lifecycle.queue.') || e.startsWith('lifecycle.reconcile.') || e.startsWith('queue.'));
const step = async (ms: number) => {
  clock.advance(ms);
  await api.backend.services.wakeLadder.tick();
};

describe('the seed’s log events for an agent that does not check in', () => {
  it('enqueued (also for a failed provisioning wake) → deferred before each deadline → retriggered → max_attempts_reached', async () => {
    const board = await f.board();
    const created = (await api.user('post', '/api/v1/agents').send({ name: f.unique('Silent'), board_id: board.id }).expect(200)).body;
    const first = await logs(created.id);
    // The provisioning's wake failed (unreachable) and still armed the deadline: the check is queued.
    expect(first.map((r) => r.event).sort()).toEqual(['lifecycle.queue.enqueued', 'lifecycle.wake.failed']);
    expect(first.find((r) => r.event === 'lifecycle.queue.enqueued')!.data).toMatchObject({ attempt: 1, delay_seconds: 15, wake_failed: true });

    for (let i = 0; i < 6; i++) await step(15_000);
    expect(ladder(await logs(created.id))).toEqual([
      'lifecycle.queue.enqueued',
      'lifecycle.reconcile.deferred', // the check queued halfway to the deadline re-queues itself for it
      'queue.worker.success',
      'lifecycle.reconcile.retriggered', // no worker success: that wake failed
      'lifecycle.queue.enqueued',
      'lifecycle.reconcile.deferred',
      'queue.worker.success',
      'lifecycle.reconcile.retriggered',
      'lifecycle.queue.enqueued',
      'lifecycle.reconcile.deferred',
      'queue.worker.success',
      'lifecycle.reconcile.max_attempts_reached',
      'queue.worker.success',
    ]);
    const deferred = (await logs(created.id)).find((r) => r.event === 'lifecycle.reconcile.deferred')!;
    expect(deferred.data).toMatchObject({ delay_seconds: 15, attempt: 1 });
    expect(await api.user('get', `/api/v1/agents/${created.id}`).expect(200)).toHaveProperty('body.status', 'offline');

    // The same events in the agent's timeline and, at the default level, in the log file.
    const timeline = (await api.user('get', `/api/v1/agents/${created.id}/lifecycle?limit=200`).expect(200)).body.events as Row[];
    expect(new Set(timeline.map((e) => e.event))).toEqual(new Set((await logs(created.id)).map((r) => r.event)));
    api.backend.logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; agent_id?: string; level: number })
      .filter((l) => l.agent_id === created.id);
    for (const event of ['lifecycle.queue.enqueued', 'lifecycle.reconcile.deferred', 'queue.worker.success', 'lifecycle.reconcile.max_attempts_reached']) {
      expect(lines.some((l) => l.event === event && l.level >= 30), event).toBe(true);
    }
  });
});

describe('a new cycle after offline', () => {
  it('re-provisioning an agent the ladder gave up on records wake 1 of the new cycle, as the row counts it', async () => {
    const board = await f.board();
    const created = (await api.user('post', '/api/v1/agents').send({ name: f.unique('Again'), board_id: board.id }).expect(200)).body;
    for (let i = 0; i < 6; i++) await step(15_000);
    expect((await api.user('get', `/api/v1/agents/${created.id}`).expect(200)).body).toMatchObject({ status: 'offline', wake_attempts: 3 });
    const before = (await logs(created.id)).length;

    await api.user('post', `/api/v1/agents/${created.id}/reprovision`).expect((res) => expect(res.status).toBeLessThan(500));
    const armed = (await logs(created.id)).slice(before).filter((r) => r.event === 'lifecycle.queue.enqueued');
    expect(armed.map((r) => r.data.attempt)).toEqual([1]);
    expect(armed[0]!.message).toMatch(/^wake 1 /);
    expect((await api.user('get', `/api/v1/agents/${created.id}`).expect(200)).body.wake_attempts).toBe(1);
  });
});

describe('an operator wake racing a supervisor retry', () => {
  const provisionings = async (id: string) => (await logs(id)).filter((r) => r.event === 'lifecycle.wake.failed').length;

  it('retry first: one re-provisioning and wake; the operator’s wake joins it and the new cycle counts it once', async () => {
    const board = await f.board();
    const agent = (await api.user('post', '/api/v1/agents').send({ name: f.unique('Race'), board_id: board.id }).expect(200)).body;
    clock.advance(30_000);
    const before = await provisionings(agent.id);
    await Promise.all([api.backend.services.wakeLadder.tick(), api.backend.services.wakeLadder.wake(agent.id)]);
    expect((await provisionings(agent.id)) - before).toBe(1);
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.wake_attempts).toBe(1);
    expect((await logs(agent.id)).map((r) => r.event)).toContain('lifecycle.wake.joined');
  });

  it('operator first: one re-provisioning and wake; the retry is dropped as stale', async () => {
    const board = await f.board();
    const agent = (await api.user('post', '/api/v1/agents').send({ name: f.unique('Race'), board_id: board.id }).expect(200)).body;
    clock.advance(30_000);
    const before = await provisionings(agent.id);
    const operator = api.backend.services.wakeLadder.wake(agent.id);
    await Promise.all([api.backend.services.wakeLadder.tick(), operator]);
    expect((await provisionings(agent.id)) - before).toBe(1);
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.wake_attempts).toBe(1);
    expect((await logs(agent.id)).map((r) => r.event)).toContain('lifecycle.reconcile.skip_stale_generation');
  });
});
