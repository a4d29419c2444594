import { describe, expect, inject, it } from 'vitest';
import { checkIn, modelControl, modelError, summarizeCheckIns } from '../support/openclaw/model-control.js';
import { until, useWorkerBoard } from '../support/workers.js';

/*
 * Reasons from the gateway's side, on the real gateway: the scripted model refuses one agent's requests
 * with HTTP 401 (a real upstream failure that the gateway itself runs into and reports), and Mission
 * Control records the gateway's account of each failed run next to its ladder — in the trail and in the
 * final offline reason. A silent agent (its model answers fine, it just never checks in) gets no such
 * reason: the gateway reported its runs as completed.
 */

const DEADLINE_S = 10;
const model = modelControl(inject('modelUrl'));
const suite = useWorkerBoard('Reasons', DEADLINE_S, model);
const createWorker = suite.worker;

interface Agent {
  id: string;
  status: string;
  wake_attempts: number;
  last_provision_error: string | null;
}
interface TrailEvent {
  event: string;
  message: string;
  data: Record<string, unknown> | null;
}
const getAgent = async (id: string): Promise<Agent> => (await suite.api.user('get', `/api/v1/agents/${id}`).expect(200)).body as Agent;
const lifecycle = async (id: string) =>
  (await suite.api.user('get', `/api/v1/agents/${id}/lifecycle?limit=200`).expect(200)).body as { agent: Agent; events: TrailEvent[] };

describe('reasons from the gateway side (real gateway)', () => {
  it('a model that refuses the agent (401): the gateway’s failed runs are in the trail and in the offline reason; a silent agent gets none', async () => {
    // Both ladders run at once: the failing one and a silent one on the same gateway.
    const failing = await createWorker(modelError(401));
    const silent = await createWorker(checkIn.silent());

    const ladder = (DEADLINE_S * 3 + 20) * 1000;
    await until(
      'both offline',
      async () => (await getAgent(failing.id)).status === 'offline' && (await getAgent(silent.id)).status === 'offline',
      ladder,
    );

    // The failure is real: the gateway called the model for this agent and got HTTP 401 back.
    const failingRequests = await model.requests(failing.key);
    expect(failingRequests.some((r) => r.heartbeat && r.response.kind === 'error' && r.response.status === 401)).toBe(true);

    const { agent, events } = await lifecycle(failing.id);
    expect(agent).toMatchObject({ status: 'offline', wake_attempts: 3 });
    const runFailures = events.filter((e) => e.event === 'lifecycle.gateway.run_failed');
    // Should this fail, say what the trail and the model saw instead.
    const evidence = JSON.stringify({
      trail: events.map((e) => `${e.event}: ${e.message}`),
      model: failingRequests.map((r) => ({ heartbeat: r.heartbeat, response: r.response })),
    });
    expect(runFailures.length, evidence).toBeGreaterThanOrEqual(1);
    for (const failure of runFailures) {
      expect(failure.message).toMatch(/^gateway: agent run failed — model auth/);
      expect(failure.data).toMatchObject({ cause: expect.stringMatching(/^model auth/), run_id: expect.any(String) });
    }
    // The first run failed on the 401 itself — or on the gateway's cooldown of the provider key, which is
    // per provider, not per agent: an earlier 401 on the shared gateway (CI saw one) pauses the key for
    // everyone ("Inline API key for provider … temporarily disabled after a provider auth/billing failure").
    expect(runFailures.at(-1)!.data!.error).toMatch(/401|authentication|auth\/billing failure/i);
    // The offline reason carries the gateway's reason, not only "no check-in after 3 wakes".
    expect(agent.last_provision_error).toMatch(/max wake attempts reached\. Last attempt: gateway: agent run failed — model auth/);
    expect(agent.last_provision_error).not.toMatch(/never called the heartbeat API/);
    // Each run is recorded once, and all of them before the ladder gave up (the first may land before
    // the provisioner's own bookkeeping of the wake on creation: a refused run fails within ~0.2 s).
    expect(new Set(runFailures.map((f) => f.data!.run_id)).size).toBe(runFailures.length);
    const order = events.map((e) => e.event).reverse();
    expect(order.lastIndexOf('lifecycle.gateway.run_failed')).toBeLessThan(order.indexOf('lifecycle.reconcile.max_attempts_reached'));
    const logs = (await suite.api.user('get', `/api/v1/logs?event=lifecycle.gateway.*&agent_id=${failing.id}`).expect(200)).body;
    expect(logs.total).toBe(runFailures.length);

    // The silent agent's model answered every turn; the gateway reported no failure for it.
    expect(summarizeCheckIns(await model.requests(silent.key))).toMatchObject({ checkInsIssued: 0 });
    expect((await model.requests(silent.key)).every((r) => r.response.kind !== 'error')).toBe(true);
    const quiet = await lifecycle(silent.id);
    expect(quiet.events.filter((e) => e.event === 'lifecycle.gateway.run_failed')).toEqual([]);
    expect(quiet.agent.last_provision_error).toMatch(/max wake attempts reached.*never called the heartbeat API/s);
    expect(quiet.agent.last_provision_error).not.toMatch(/gateway:/);
  }, 120_000);
});
