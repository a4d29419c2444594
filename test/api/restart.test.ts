import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InstanceRunningError, readRunningInstance } from '../../backend/index.js';
import { instanceFile } from '../../backend/instance.js';
import { fixtures, startTestApi } from '../support/api.js';

describe('restart on the same data dir', () => {
  it('loses nothing: records, tokens and the local token survive a stop/start', async () => {
    const first = await startTestApi();
    const f = fixtures(first);
    const gateway = await f.gateway({ token: 'gw-secret' });
    const board = await f.board({ gateway_id: gateway.id, require_review_before_done: true });
    const agent = await f.agent(board.id, { is_board_lead: true });
    await first.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    await first
      .user('post', `/api/v1/boards/${board.id}/memory`)
      .send({ content: 'remember this', tags: ['note'] })
      .expect(200);
    const tag = await first.user('post', '/api/v1/tags').send({ name: 'Urgent', color: '#FF0000' }).expect(200);
    const dep = await first.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Design' }).expect(200);
    const task = await first
      .user('post', `/api/v1/boards/${board.id}/tasks`)
      .send({ title: 'Build', depends_on_task_ids: [dep.body.id], tag_ids: [tag.body.id] })
      .expect(200);
    await first
      .user('post', `/api/v1/boards/${board.id}/tasks/${task.body.id}/comments`)
      .send({ message: 'start after design' })
      .expect(200);
    await first
      .agent(agent.token, 'post', `/api/v1/agent/boards/${board.id}/approvals`)
      .send({ action_type: 'ship', confidence: 90, task_id: task.body.id, lead_reasoning: 'ready' })
      .expect(200);
    const before = {
      snapshot: (await first.user('get', `/api/v1/boards/${board.id}/snapshot`).expect(200)).body,
      comments: (await first.user('get', `/api/v1/boards/${board.id}/tasks/${task.body.id}/comments`).expect(200)).body,
      gateways: (await first.user('get', '/api/v1/gateways').expect(200)).body,
      boards: (await first.user('get', '/api/v1/boards').expect(200)).body,
      agents: (await first.user('get', '/api/v1/agents').expect(200)).body,
      memory: (await first.user('get', `/api/v1/boards/${board.id}/memory`).expect(200)).body,
    };
    const localToken = first.backend.localToken;
    await first.stop(false);

    const second = await startTestApi({ dataDir: first.dataDir });
    try {
      expect(second.backend.localToken).toBe(localToken);
      // Everything but the live connection state (a new process reconnects and records its own attempts).
      const withoutLive = (page: { items: Record<string, unknown>[] }) =>
        page.items.map(({ connection_state: _live, last_error: _attempt, ...rest }) => rest);
      expect(withoutLive((await second.user('get', '/api/v1/gateways').expect(200)).body)).toEqual(withoutLive(before.gateways));
      expect((await second.user('get', '/api/v1/boards').expect(200)).body).toEqual(before.boards);
      expect((await second.user('get', `/api/v1/boards/${board.id}/memory`).expect(200)).body).toEqual(before.memory);
      const snapshot = (await second.user('get', `/api/v1/boards/${board.id}/snapshot`).expect(200)).body;
      expect(snapshot.tasks).toEqual(before.snapshot.tasks);
      expect(snapshot.approvals).toEqual(before.snapshot.approvals);
      expect(snapshot.tasks.find((t: { id: string }) => t.id === task.body.id)).toMatchObject({
        depends_on_task_ids: [dep.body.id],
        is_blocked: true,
        tag_ids: [tag.body.id],
      });
      expect((await second.user('get', `/api/v1/boards/${board.id}/tasks/${task.body.id}/comments`).expect(200)).body).toEqual(
        before.comments,
      );
      const agents = (await second.user('get', '/api/v1/agents').expect(200)).body;
      expect(agents.items.map((a: { id: string }) => a.id)).toEqual(before.agents.items.map((a: { id: string }) => a.id));
      // The agent's token still works after the restart.
      const hb = await second.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
      expect(hb.body.id).toBe(agent.id);
      const tags = (await second.user('get', '/api/v1/tags').expect(200)).body;
      expect(tags.items).toEqual([expect.objectContaining({ id: tag.body.id, color: 'ff0000' })]);
    } finally {
      await second.stop();
    }
  });

  it('names the running instance in the data dir, refuses a second backend on it, and forgets a killed one', async () => {
    const first = await startTestApi();
    const file = instanceFile(first.dataDir);
    try {
      expect(readRunningInstance(first.dataDir)).toMatchObject({ pid: process.pid, url: first.backend.url });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await expect(startTestApi({ dataDir: first.dataDir })).rejects.toThrow(InstanceRunningError);
      await expect(startTestApi({ dataDir: first.dataDir })).rejects.toThrow(/already running on this data dir \(pid \d+/);
      // The refused start removed nothing: the first instance still serves and still owns the file.
      await first.user('get', '/api/v1/boards').expect(200);
      expect(readRunningInstance(first.dataDir)?.pid).toBe(process.pid);
    } finally {
      await first.stop(false);
    }
    expect(existsSync(file)).toBe(false);

    // A file left behind by a process that no longer exists (SIGKILL) does not block a start.
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, url: 'http://127.0.0.1:1', started_at: new Date().toISOString() }));
    expect(readRunningInstance(first.dataDir)).toBeUndefined();
    const second = await startTestApi({ dataDir: first.dataDir });
    try {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, url: second.backend.url });
    } finally {
      await second.stop();
    }
  });
});
