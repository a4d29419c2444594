import { describe, expect, inject, it } from 'vitest';
import { checkIn, modelControl, summarizeCheckIns } from '../support/openclaw/model-control.js';
import { SILENT_LADDER_EVENTS } from '../support/trail.js';
import { until, useWorkerBoard } from '../support/workers.js';

/*
 * The fast-convergence ladder with real agents on the real gateway, at a short deadline (6 s) so a
 * full ladder fits in a test: silent → exactly 3 wakes then offline with the reason; late(1) → online
 * after the 2nd wake; stale → offline with a token-drift reason.
 */

const DEADLINE_S = 6;
const model = modelControl(inject('modelUrl'));
const suite = useWorkerBoard('Ladder', DEADLINE_S, model);
const createWorker = suite.worker;

interface Agent {
  id: string;
  status: string;
  wake_attempts: number;
  last_seen_at: string | null;
  last_provision_error: string | null;
  checkin_deadline_at: string | null;
}
const getAgent = async (id: string): Promise<Agent> => (await suite.api.user('get', `/api/v1/agents/${id}`).expect(200)).body as Agent;

const reconcileEvents = async (id: string) =>
  ((await suite.api.user('get', `/api/v1/logs?event=lifecycle.reconcile.*&agent_id=${id}`).expect(200)).body.items as { event: string }[])
    .map((e) => e.event)
    .reverse();

describe('the check-in ladder with real agents', () => {
  it('silent: exactly 3 wakes, then offline with the reason; events in order', async () => {
    const { id, key } = await createWorker(checkIn.silent());
    await until('offline', async () => (await getAgent(id)).status === 'offline', (DEADLINE_S * 3 + 10) * 1000);
    const agent = await getAgent(id);
    expect(agent).toMatchObject({ wake_attempts: 3, checkin_deadline_at: null, last_seen_at: null });
    expect(agent.last_provision_error).toMatch(/max wake attempts reached.*never called the heartbeat API/s);
    // Each wake's check runs halfway to its deadline first and re-queues itself for it (the seed's `deferred`).
    expect(await reconcileEvents(id)).toEqual(SILENT_LADDER_EVENTS);
    // The agent really was woken three times: its model saw three heartbeat turns and nothing more.
    await new Promise((r) => setTimeout(r, DEADLINE_S * 1000));
    const summary = summarizeCheckIns(await model.requests(key));
    // At most the three counted wakes ran (a wake the gateway dropped twice counts without running) and none checked in.
    expect(summary.checkInsIssued).toBe(0);
    expect(summary.heartbeatTurns).toBeGreaterThanOrEqual(1);
    expect(summary.heartbeatTurns).toBeLessThanOrEqual(3);
  }, 90_000);

  it('late(1): ignores the first wake, checks in after the second; the ladder resets', async () => {
    const { id, key } = await createWorker(checkIn.late(1));
    await until('check-in', async () => (await getAgent(id)).last_seen_at !== null, (DEADLINE_S * 2 + 15) * 1000);
    const agent = await getAgent(id);
    expect(agent).toMatchObject({ status: 'online', wake_attempts: 0, checkin_deadline_at: null, last_provision_error: null });
    // (A check-in slower than half the deadline adds a `deferred` after the retry: left out here.)
    await until('the queued check ran', async () => (await reconcileEvents(id)).includes('lifecycle.reconcile.skip_not_stuck'), DEADLINE_S * 1000);
    expect((await reconcileEvents(id)).filter((e) => e !== 'lifecycle.reconcile.deferred')).toEqual([
      'lifecycle.reconcile.retriggered',
      'lifecycle.reconcile.skip_not_stuck',
    ]);
    expect(summarizeCheckIns(await model.requests(key))).toMatchObject({ heartbeatTurns: 2, checkInsIssued: 1 });
  }, 60_000);

  it('stale: check-ins refused with a rotated token end offline with a token-drift reason', async () => {
    const { id } = await createWorker(checkIn.silent());
    // The workspace holds the first token; rotate twice and have the agent present the retired middle one.
    const retired = (await suite.api.user('post', `/api/v1/agents/${id}/token`).expect(200)).body.token as string;
    await suite.api.user('post', `/api/v1/agents/${id}/token`).expect(200);
    await model.setScript(`mc-${id}`, checkIn.stale(retired));
    await until('offline', async () => (await getAgent(id)).status === 'offline', (DEADLINE_S * 3 + 15) * 1000);
    const agent = await getAgent(id);
    expect(agent.last_provision_error).toMatch(/401.*token drift.*reprovision/s);
    const failures = suite.api.backend.services.agentAuth.recentFailures({ since: new Date(Date.now() - 120_000), agentIds: [id] });
    expect(failures).toEqual([expect.objectContaining({ reason: 'retired_token', token_prefix: retired.slice(0, 6) })]);
  }, 90_000);
});
