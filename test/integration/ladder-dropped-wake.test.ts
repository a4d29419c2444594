import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';
import { trailOf, type TrailEvent } from '../support/trail.js';
import { WORKERS, boardOnGateway, createWorker, removeWorkers, until } from '../support/workers.js';

/*
 * A wake the real gateway accepts and then drops: creating another agent reloads the gateway's
 * config, which supersedes the run a wake was being prepared with ("prepared model runtime plugin
 * generation was superseded"; the gateway's only evidence is a `heartbeat` event naming the agent's
 * directory). Reproduced for real: wake agent A, create agent B at once. Mission Control records the
 * drop and re-sends the wake as the same attempt, so A checks in without being one step closer to
 * offline. The drop depends on timing inside the gateway: tried a few times, and skipped, saying so,
 * if the gateway ran every wake.
 */
const DEADLINE_S = 20;
const TRIES = 4;
const model = modelControl(inject('modelUrl'));
const suffix = randomBytes(3).toString('hex');
let api: TestApi;
let boardId: string;
const created: string[] = [];

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
  ({ boardId } = await boardOnGateway(
    api,
    { name: `Dropped ${suffix}`, url: inject('gatewayUrl'), token: inject('gatewayToken') },
    { name: `Dropped board ${suffix}` },
  ));
});
afterAll(async () => {
  await model.setPatternScript(WORKERS, null);
  await removeWorkers(api, model, created);
  await api?.stop();
});

const getAgent = async (id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body;

describe('a wake the gateway drops', () => {
  it('is recognised from the gateway’s evidence, recorded, and re-sent without costing an attempt', async (ctx) => {
    const a = await createWorker(api, model, boardId, `Dropped A ${suffix}`, checkIn.obedient());
    created.push(a.id);
    await until('A checked in once', async () => (await getAgent(a.id)).last_seen_at !== null, 60_000);
    let drop: TrailEvent | undefined;
    for (let i = 0; i < TRIES && !drop; i++) {
      const since = Date.now();
      await api.user('post', `/api/v1/agents/${a.id}/wake`).expect(200);
      const b = await createWorker(api, model, boardId, `Dropped B ${suffix} ${i}`, checkIn.obedient());
      created.push(b.id);
      // Either A's wake ran (it checks in) or the gateway dropped it (then the re-sent one brings the check-in).
      await until(
        'A checked in after this wake',
        async () => (await trailOf(api, a.id)).some((e) => e.event === 'lifecycle.checkin' && Date.parse(e.created_at) >= since),
        DEADLINE_S * 2 * 1000,
      );
      drop = (await trailOf(api, a.id)).find((e) => e.event === 'lifecycle.wake.dropped' && Date.parse(e.created_at) >= since);
    }
    if (!drop) {
      ctx.skip(`the real gateway ran all ${TRIES} wakes (none dropped by the config reload); nothing to recognise this run`);
      return;
    }
    expect(drop.message).toMatch(/superseded.*re-sent, not counted/);
    const after = (await trailOf(api, a.id)).filter((e) => Date.parse(e.created_at) >= Date.parse(drop!.created_at));
    const events = after.map((e) => e.event);
    // Re-sent as the same attempt, then the check-in: the ladder never went past wake 1.
    expect(events).toContain('lifecycle.wake.sent');
    expect(after.find((e) => e.event === 'lifecycle.queue.enqueued')?.message).toMatch(/^wake 1 re-sent/);
    expect(events).not.toContain('lifecycle.reconcile.retriggered');
    expect(after.find((e) => e.event === 'lifecycle.checkin')?.message).toMatch(/after 1 wake\(s\)/);
    expect(await getAgent(a.id)).toMatchObject({ status: 'online', wake_attempts: 0 });
  }, 300_000);
});
