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
 * directory). Reproduced for real: create agent A (provisioned and woken), then agent B at once. Mission Control records the
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
    // A's first wake (its provisioning's), then B created at once: B's creation reloads the gateway's config.
    let drop: TrailEvent | undefined;
    let a = '';
    for (let i = 0; i < TRIES && !drop; i++) {
      const created_a = await createWorker(api, model, boardId, `Dropped A ${suffix} ${i}`, checkIn.obedient());
      const b = await createWorker(api, model, boardId, `Dropped B ${suffix} ${i}`, checkIn.obedient());
      created.push(created_a.id, b.id);
      a = created_a.id;
      await until('A checked in', async () => (await getAgent(a)).last_seen_at !== null, DEADLINE_S * 2 * 1000);
      drop = (await trailOf(api, a)).find((e) => e.event === 'lifecycle.wake.dropped');
    }
    if (!drop) {
      ctx.skip(`the real gateway ran all ${TRIES} wakes (none dropped by the config reload); nothing to recognise this run`);
      return;
    }
    expect(drop.message).toMatch(/superseded.*re-sent, not counted/);
    const after = (await trailOf(api, a)).filter((e) => Date.parse(e.created_at) >= Date.parse(drop!.created_at));
    const events = after.map((e) => e.event);
    // Re-sent as the same attempt, then the check-in: the ladder never went past wake 1.
    expect(events).toContain('lifecycle.wake.sent');
    expect(after.find((e) => e.event === 'lifecycle.queue.enqueued')?.message).toMatch(/^wake 1 re-sent/);
    expect(events).not.toContain('lifecycle.reconcile.retriggered');
    expect(after.find((e) => e.event === 'lifecycle.checkin')?.message).toMatch(/after 1 wake\(s\)/);
    expect(await getAgent(a)).toMatchObject({ status: 'online', wake_attempts: 0 });
  }, 300_000);
});
