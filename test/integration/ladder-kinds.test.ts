import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { checkIn, modelControl, type ScriptStep } from '../support/openclaw/model-control.js';
import { SILENT_LADDER_EVENTS } from '../support/trail.js';
import { until } from '../support/workers.js';

/*
 * "This applies to both gateway-main and board agents" (the seed): the ladder to convergence on the
 * real gateway for a gateway's main agent (`mc-gateway-<id>`) and a board lead (`lead-<board>`),
 * steered through the scripted model. Silent → offline with the reason after 3 wakes, with the seed's
 * events for an agent that does not check in (deferred → retriggered → max_attempts_reached);
 * obedient → online, with the healthy flow's (enqueued → skip_not_stuck → queue.worker.success).
 * Each backend has one gateway record, so the two main agents need two backends.
 */
const DEADLINE_S = 6;
const model = modelControl(inject('modelUrl'));
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const suffix = randomBytes(3).toString('hex');
const MAIN = /^mc-gateway-/;
const LEAD = /^lead-/;
let silentApi: TestApi;
let obedientApi: TestApi;
const cleanup: (() => Promise<unknown>)[] = [];

interface Row {
  event: string;
  created_at: string;
}
const trail = async (api: TestApi, id: string) =>
  ((await api.user('get', `/api/v1/logs?agent_id=${id}&limit=200`).expect(200)).body.items as Row[]).reverse().map((r) => r.event);
const getAgent = async (api: TestApi, id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body;

/** Saves the real gateway in `api` with its main agent scripted as `behaviour`; returns the main agent's id. */
async function gatewayWithMain(api: TestApi, name: string, behaviour: ScriptStep): Promise<{ gatewayId: string; mainId: string }> {
  await model.setPatternScript(MAIN, behaviour);
  const gw = (await api.user('post', '/api/v1/gateways').send({ name, url: gatewayUrl, token: gatewayToken }).expect(200)).body;
  await model.setScript(`mc-gateway-${gw.id}`, behaviour);
  cleanup.push(() => model.setScript(`mc-gateway-${gw.id}`, null));
  return { gatewayId: gw.id, mainId: gw.main_agent_id };
}

/** A board with its lead scripted as `behaviour`; returns the lead's id. */
async function boardWithLead(api: TestApi, gatewayId: string, name: string, behaviour: ScriptStep): Promise<string> {
  await model.setPatternScript(LEAD, behaviour);
  const board = (
    await api.user('post', '/api/v1/boards').send({ name, description: 'ladder kinds', gateway_id: gatewayId, create_lead: true }).expect(200)
  ).body;
  await model.setScript(`lead-${board.id}`, behaviour);
  cleanup.push(() => model.setScript(`lead-${board.id}`, null));
  const lead = (await api.user('get', `/api/v1/agents?board_id=${board.id}&limit=10`).expect(200)).body.items.find(
    (a: { is_board_lead: boolean }) => a.is_board_lead,
  );
  expect(lead).toBeDefined();
  return lead.id as string;
}

beforeAll(async () => {
  silentApi = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
  obedientApi = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
});
afterEach(async () => {
  await model.setPatternScript(MAIN, null);
  await model.setPatternScript(LEAD, null);
});
afterAll(async () => {
  for (const step of cleanup) await step().catch(() => undefined);
  await silentApi?.stop();
  await obedientApi?.stop();
});

describe('the ladder for a gateway’s main agent and a board lead', () => {
  it('silent main agent and silent lead: 3 wakes each, then offline with the reason', async () => {
    const { gatewayId, mainId } = await gatewayWithMain(silentApi, `Kinds silent ${suffix}`, checkIn.silent());
    const leadId = await boardWithLead(silentApi, gatewayId, `Kinds silent board ${suffix}`, checkIn.silent());
    for (const id of [mainId, leadId]) {
      await until('offline', async () => (await getAgent(silentApi, id)).status === 'offline', (DEADLINE_S * 3 + 30) * 1000);
      const agent = await getAgent(silentApi, id);
      expect(agent).toMatchObject({ wake_attempts: 3, checkin_deadline_at: null, last_seen_at: null });
      expect(agent.last_provision_error).toMatch(/max wake attempts reached/);
      const events = await trail(silentApi, id);
      expect(events.filter((e) => e.startsWith('lifecycle.reconcile.')), id).toEqual(SILENT_LADDER_EVENTS);
      // Three counted wakes; a wake the gateway dropped (another agent's creation reloads its config) is
      // re-sent as the same attempt and recorded as such.
      const rows = (await silentApi.user('get', `/api/v1/logs?agent_id=${id}&event=lifecycle.queue.enqueued&limit=50`).expect(200)).body.items;
      expect(rows.filter((r: { message: string }) => !/re-sent/.test(r.message)), id).toHaveLength(3);
      const drops = (await silentApi.user('get', `/api/v1/logs?agent_id=${id}&event=lifecycle.wake.dropped&limit=50`).expect(200)).body.items;
      expect(rows.filter((r: { message: string }) => /re-sent/.test(r.message)), id).toHaveLength(
        drops.filter((d: { message: string }) => /re-sent, not counted/.test(d.message)).length,
      );
    }
  }, 120_000);

  it('obedient main agent and obedient lead: online, ladder reset, the healthy flow’s events', async () => {
    const { gatewayId, mainId } = await gatewayWithMain(obedientApi, `Kinds obedient ${suffix}`, checkIn.obedient());
    const leadId = await boardWithLead(obedientApi, gatewayId, `Kinds obedient board ${suffix}`, checkIn.obedient());
    for (const id of [mainId, leadId]) {
      await until(
        'the queued check found it not stuck',
        async () => (await trail(obedientApi, id)).includes('lifecycle.reconcile.skip_not_stuck'),
        (DEADLINE_S * 3 + 30) * 1000,
      );
      const agent = await getAgent(obedientApi, id);
      expect(agent).toMatchObject({ status: 'online', wake_attempts: 0, checkin_deadline_at: null, last_provision_error: null });
      const events = await trail(obedientApi, id);
      // The healthy flow, in order: a wake queued its check, which found the agent checked in and finished.
      // (`lifecycle.checkin` sits in between unless the check-in beat the wake's bookkeeping; a wake the
      // gateway dropped adds a re-send before it.)
      const skip = events.lastIndexOf('lifecycle.reconcile.skip_not_stuck');
      expect(events.slice(0, skip), id).toContain('lifecycle.queue.enqueued');
      expect(events.slice(skip + 1), id).toContain('queue.worker.success');
      expect(events).not.toContain('lifecycle.reconcile.max_attempts_reached');
    }
  }, 120_000);
});
