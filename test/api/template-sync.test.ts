import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * Template sync and drift without a running gateway: the options, the errors, board-chat `/pause`,
 * the progress events and the activity entry. Syncing on the real gateway is in
 * test/integration/template-sync.test.ts.
 */

const api = useTestApi();
const f = fixtures(api);

const chat = (boardId: string, content: string) =>
  api
    .user('post', `/api/v1/boards/${boardId}/memory`)
    .send({ content, tags: ['chat'] })
    .expect(200);

/** Collects SSE events of one type until `stop` resolves. */
async function collectEvents(type: string, during: () => Promise<void>): Promise<unknown[]> {
  const controller = new AbortController();
  const res = await fetch(`${api.url}/api/v1/events`, {
    headers: { Authorization: `Bearer ${api.backend.localToken}` },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: (.+)$/m.exec(block)?.[1] === type) events.push(JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? 'null'));
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 100)); // subscribed
  await during();
  await new Promise((r) => setTimeout(r, 100));
  controller.abort();
  await reading;
  return events;
}

describe('POST /api/v1/gateways/{id}/templates/sync', () => {
  it('404 for an unknown gateway; 422 with the field for a board of another gateway or a non-boolean flag', async () => {
    await api.user('post', `/api/v1/gateways/${randomUUID()}/templates/sync`).expect(404);
    const gateway = await f.gateway();
    const other = await f.board();
    const wrong = await api.user('post', `/api/v1/gateways/${gateway.id}/templates/sync?board_id=${other.id}`).expect(422);
    expect(JSON.stringify(wrong.body.detail)).toContain('Board does not belong to this gateway.');
    const flag = await api.user('post', `/api/v1/gateways/${gateway.id}/templates/sync?rotate_tokens=maybe`).expect(422);
    expect(flag.body.detail[0].loc).toEqual(['query', 'rotate_tokens']);
  });

  it('documents 409 (a sync already running) and 502 (gateway down) in /openapi.json', async () => {
    const doc = (await api.raw().get('/openapi.json').expect(200)).body;
    const responses = doc.paths['/api/v1/gateways/{gateway_id}/templates/sync'].post.responses;
    expect(responses['409'].description).toContain('already running');
    expect(responses['502'].description).toContain('cannot be reached');
  });

  it('needs the local token', async () => {
    const gateway = await f.gateway();
    await api.raw().post(`/api/v1/gateways/${gateway.id}/templates/sync`).expect(401);
  });

  it('skips the agents of a board paused in chat (and says so), with progress events and an activity entry', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const agent = await f.agent(board.id);
    await chat(board.id, '/resume');
    await chat(board.id, '  /PAUSE ');

    let result: Record<string, unknown> = {};
    const events = await collectEvents('template_sync', async () => {
      // The gateway is offline: a sync that had to reach it would answer 502 (below).
      result = (await api.user('post', `/api/v1/gateways/${gateway.id}/templates/sync?include_main=false`).expect(200)).body;
    });
    expect(result).toMatchObject({
      gateway_id: gateway.id,
      include_main: false,
      agents_updated: 0,
      agents_skipped: 1,
      main_updated: false,
      errors: [],
      paused_board_ids: [board.id],
      agents: [{ agent_id: agent.id, outcome: 'skipped', reason: expect.stringContaining('paused'), token: null }],
    });
    expect(events.map((e) => (e as { phase: string }).phase)).toEqual(['started', 'agent', 'finished']);
    expect(events[1]).toMatchObject({ gateway_id: gateway.id, done: 1, total: 1, agent_id: agent.id, outcome: 'skipped' });

    const activity = await api.user('get', '/api/v1/activity').expect(200);
    expect(activity.body.items.map((a: { event_type: string; message: string }) => [a.event_type, a.message])).toContainEqual([
      'gateway.templates.synced',
      expect.stringContaining('0 agent(s) updated, 1 skipped'),
    ]);

    // `/resume` is now the latest command: the agent is included, so the offline gateway is needed.
    await chat(board.id, '/resume');
    const down = await api.user('post', `/api/v1/gateways/${gateway.id}/templates/sync?include_main=false`).expect(502);
    expect(down.body.detail).toMatchObject({ code: 'unreachable', message: expect.stringContaining('template sync') });
  });

  it('a sync that fails for an agent leaves its owed provisioning as it was (the supervisor would retry an owed update without keepTokenOnly)', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const agent = await f.agent(board.id);
    // Created while the gateway is down: its first provisioning is owed.
    const before = (await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body;
    expect(before.provision_action).toBe('provision');
    // What the sync asks of the provisioner; the gateway is unreachable.
    await expect(
      api.backend.services.provisioner.provision(agent.id, { action: 'update', wake: false, keepTokenOnly: true, newCycle: true }),
    ).rejects.toThrow();
    const after = (await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body;
    expect(after).toMatchObject({
      provision_action: 'provision',
      status: before.status,
      last_provision_error: expect.stringContaining('update failed'),
    });
  });

  it('drift: 502 with the classified reason when the gateway is down; empty for a gateway without agents', async () => {
    const gateway = await f.gateway();
    const down = await api.user('get', `/api/v1/gateways/${gateway.id}/templates/drift`).expect(502);
    expect(down.body.detail).toMatchObject({ code: 'unreachable', next_step: expect.any(String) });
    const none = await api.user('get', `/api/v1/gateways/${gateway.id}/templates/drift?include_main=false`).expect(200);
    expect(none.body).toMatchObject({ gateway_id: gateway.id, agents: [], summary: { agents: 0 } });
  });
});
