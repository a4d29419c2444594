import { describe, expect, inject, it } from 'vitest';
import { useTestApi } from '../support/api.js';
import { modelControl } from '../support/openclaw/model-control.js';

/** The agent outbox reaches the agent's session on the real gateway: its model sees the message. */
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const api = useTestApi();

describe('messages to agents', () => {
  it('assigning a task delivers TASK ASSIGNED to the worker’s session, once, and records it', async () => {
    const gateway = (
      await api.user('post', '/api/v1/gateways').send({ name: 'Notify gw', url: gatewayUrl, token: gatewayToken }).expect(200)
    ).body;
    const board = (
      await api
        .user('post', '/api/v1/boards')
        .send({ name: 'Notify board', description: 'd', gateway_id: gateway.id, create_lead: false })
        .expect(200)
    ).body;
    const worker = (await api.user('post', '/api/v1/agents').send({ name: 'Notified Worker', board_id: board.id }).expect(200)).body;
    expect(worker.last_provision_error).toBeNull();
    const task = (await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Write the release notes' }).expect(200)).body;
    await api.user('patch', `/api/v1/boards/${board.id}/tasks/${task.id}`).send({ assigned_agent_id: worker.id }).expect(200);

    const key = `mc-${worker.id}`;
    const seen = await model.waitForRequests(key, (r) =>
      r.userTexts.some((t) => t.includes('TASK ASSIGNED') && t.includes('Write the release notes')),
    );
    expect(seen.length).toBeGreaterThanOrEqual(1);

    const outbox = api.backend.services.tasks.outboxFor(worker.id).filter((m) => m.kind === 'task.assigned');
    expect(outbox).toEqual([expect.objectContaining({ status: 'sent', task_id: task.id })]);
    const activity = (await api.user('get', `/api/v1/activity?agent_id=${worker.id}&event_type=task.assigned.notified`).expect(200)).body;
    expect(activity.total).toBe(1);
  });
});
