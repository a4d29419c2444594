import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withAgentLock } from '../../backend/core/agent-lock.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { until } from '../support/until.js';

/*
 * Teardown against provisioning, on the real gateway (session 4's fix): a board's delete takes each
 * agent's lock before it marks the agent `deleting` and deletes it on the gateway, and provisioning
 * refuses an agent in `deleting`. Without either, an agent can be re-created on the gateway after its
 * delete — left running there with its shell and cron heartbeat, unsupervised.
 *
 * Made deterministic with the agent lock itself: the test holds the second agent's lock (what a
 * provisioning in flight holds), so the teardown deletes the first agent on the gateway and then waits
 * at the second. That moment is observed on the gateway (the first agent gone, read with an
 * independent raw client), never guessed with a sleep. The agents' order is the board's rows' order
 * (creation order), which the teardown walks.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
let api: TestApi;
let gatewayId: string;

const gatewayAgentIds = async () =>
  (await rawRpc<{ agents: { id: string }[] }>(gatewayUrl, gatewayToken, 'agents.list', {})).agents.map((a) => a.id);

beforeAll(async () => {
  // No supervisor retry during a test (the check-in deadline is far off): the only lock holders are the teardown,
  // the test and the provisioning it runs.
  api = await startTestApi({ checkinDeadlineSeconds: 3600 });
  gatewayId = (await api.user('post', '/api/v1/gateways').send({ name: 'Race gateway', url: gatewayUrl, token: gatewayToken }).expect(200))
    .body.id;
});
afterAll(async () => {
  await api?.stop();
});

/** A board with two provisioned workers on the real gateway, in creation order. */
async function boardWithTwo(name: string) {
  const board = (
    await api.user('post', '/api/v1/boards').send({ name, description: 'd', gateway_id: gatewayId, create_lead: false }).expect(200)
  ).body as { id: string };
  const first = (
    await api
      .user('post', '/api/v1/agents')
      .send({ name: `${name} first`, board_id: board.id })
      .expect(200)
  ).body as { id: string };
  const second = (
    await api
      .user('post', '/api/v1/agents')
      .send({ name: `${name} second`, board_id: board.id })
      .expect(200)
  ).body as {
    id: string;
  };
  expect(await gatewayAgentIds()).toEqual(expect.arrayContaining([`mc-${first.id}`, `mc-${second.id}`]));
  return { board, first, second };
}

/** A promise the test opens when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** DELETE the board; the answer once the teardown is done. */
const deleteBoard = async (boardId: string) => {
  const res = await api.user('delete', `/api/v1/boards/${boardId}`);
  return { status: res.status, body: res.body as { agents: { id: string; outcome: string }[] } };
};

const statusOf = async (id: string) => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body.status as string;

describe('a board delete racing provisioning', () => {
  it('waits for the provisioning in flight (the agent lock): it completes untouched, then the agent is deleted on the gateway', async () => {
    const { board, first, second } = await boardWithTwo('Race lock');
    const firstGone = gate();
    const held = gate();
    // The test is the provisioning in flight for the second agent: it holds its lock for the whole check.
    const inFlight = withAgentLock(second.id, async () => {
      held.open();
      await firstGone.opened;
      // A real provisioning of the second agent, inside the held lock: the teardown has not marked it `deleting`
      // (it waits for this lock), so it is not refused and nothing deletes the agent under it.
      await api.backend.services.provisioner.provision(second.id, { action: 'update', wake: false, newCycle: false });
      expect(await statusOf(second.id)).not.toBe('deleting');
      expect(await gatewayAgentIds()).toContain(`mc-${second.id}`);
    });
    await held.opened;
    // Sent from outside the lock's context (as the HTTP request of another caller).
    const deleted = deleteBoard(board.id);
    await until('the first agent deleted on the gateway', async () => !(await gatewayAgentIds()).includes(`mc-${first.id}`), 60_000);
    firstGone.open();
    await inFlight;
    const res = await deleted;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.agents.map((a) => [a.id, a.outcome])).toEqual([
      [first.id, 'deleted'],
      [second.id, 'deleted'],
    ]);
    const left = await gatewayAgentIds();
    expect(left).not.toContain(`mc-${first.id}`);
    expect(left).not.toContain(`mc-${second.id}`);
  }, 180_000);

  it('a provisioning queued behind the teardown refuses the agent being deleted: it is not re-created on the gateway', async () => {
    const { board, first, second } = await boardWithTwo('Race refusal');
    const release = gate();
    const held = gate();
    // Park the teardown at the second agent, so the first is deleted on the gateway but its record is still `deleting`.
    const parked = withAgentLock(second.id, async () => {
      held.open();
      await release.opened;
    });
    await held.opened;
    const deleted = deleteBoard(board.id);
    await until('the first agent deleted on the gateway', async () => !(await gatewayAgentIds()).includes(`mc-${first.id}`), 60_000);
    expect(await statusOf(first.id)).toBe('deleting');
    // What a supervisor retry or an operator's re-provision queued behind the teardown does next.
    await expect(api.backend.services.provisioner.provision(first.id, { action: 'update', wake: true, newCycle: false })).rejects.toThrow(
      /is being deleted; it is not provisioned again/,
    );
    expect(await gatewayAgentIds()).not.toContain(`mc-${first.id}`);
    release.open();
    await parked;
    expect((await deleted).status).toBe(200);
    const left = await gatewayAgentIds();
    expect(left).not.toContain(`mc-${first.id}`);
    expect(left).not.toContain(`mc-${second.id}`);
  }, 180_000);
});
