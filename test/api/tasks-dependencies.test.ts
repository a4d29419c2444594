import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/* Reference §7.1 items 20–21: dependencies and what they block. */

const api = useTestApi();
const f = fixtures(api);

async function boardWith(rules: Record<string, unknown> = {}) {
  const { board, lead, base, task } = await f.taskBoard({ require_approval_for_done: false, ...rules });
  const worker = await f.agent(board.id);
  const patch = (taskId: string, body: Record<string, unknown>) => api.user('patch', `${base}/${taskId}`).send(body);
  const leadPatch = (taskId: string, body: Record<string, unknown>) =>
    api.agent(lead.token, 'patch', `/api/v1/agent/boards/${board.id}/tasks/${taskId}`).send(body);
  const get = async (taskId: string) => (await api.user('get', `${base}/${taskId}`).expect(200)).body;
  return { board, lead, worker, base, task, patch, leadPatch, get };
}

const BLOCKED = 'Task is blocked by incomplete dependencies.';

describe('blocked lead transitions (§7.1 20)', () => {
  it('assignment or status on a blocked task → 409 with the blocking ids; the task is unchanged', async () => {
    const b = await boardWith();
    const dep = await b.task();
    const task = await b.task({ depends_on_task_ids: [dep.id] });
    const before = await b.get(task.id);

    for (const body of [{ assigned_agent_id: b.worker.id }, { assigned_agent_id: b.worker.id, status: 'in_progress' }]) {
      const res = await b.leadPatch(task.id, body).expect(409);
      expect(res.body.detail).toEqual({ message: BLOCKED, code: 'task_blocked_cannot_transition', blocked_by_task_ids: [dep.id] });
    }
    expect(await b.get(task.id)).toEqual(before);
  });

  it('a refused lead PATCH that also replaced dependencies leaves them as they were', async () => {
    const b = await boardWith();
    const dep = await b.task();
    const task = await b.task();
    await b.leadPatch(task.id, { depends_on_task_ids: [dep.id], assigned_agent_id: b.worker.id }).expect(409);
    expect((await b.get(task.id)).depends_on_task_ids).toEqual([]);
  });

  it('re-asserting the same dependency list alone succeeds: still blocked, one dependency row', async () => {
    const b = await boardWith();
    const dep = await b.task();
    const task = await b.task({ depends_on_task_ids: [dep.id] });
    const res = await b.leadPatch(task.id, { depends_on_task_ids: [dep.id, dep.id] }).expect(200);
    expect(res.body.is_blocked).toBe(true);
    expect(res.body.depends_on_task_ids).toEqual([dep.id]);
    expect(res.body.blocked_by_task_ids).toEqual([dep.id]);
  });

  it('workers cannot start blocked work but may put it back in the inbox', async () => {
    const b = await boardWith();
    const dep = await b.task();
    const task = await b.task({ depends_on_task_ids: [dep.id] });
    const res = await api
      .agent(b.worker.token, 'patch', `/api/v1/agent/boards/${b.board.id}/tasks/${task.id}`)
      .send({ status: 'in_progress' })
      .expect(409);
    expect(res.body.detail.code).toBe('task_blocked_cannot_transition');
    await api.agent(b.worker.token, 'patch', `/api/v1/agent/boards/${b.board.id}/tasks/${task.id}`).send({ status: 'inbox' }).expect(200);
  });
});

describe('dependencies (§7.1 21)', () => {
  it('are de-duplicated in order; blocked_by lists the deps that are not done; a done task is never blocked', async () => {
    const b = await boardWith();
    const [a, c, d] = [await b.task(), await b.task(), await b.task()];
    const task = await b.task({ depends_on_task_ids: [c.id, a.id, c.id, d.id, a.id] });
    expect(task).toMatchObject({ depends_on_task_ids: [c.id, a.id, d.id], blocked_by_task_ids: [c.id, a.id, d.id], is_blocked: true });

    await b.patch(a.id, { status: 'done' }).expect(200);
    const after = await b.get(task.id);
    expect(after.blocked_by_task_ids).toEqual([c.id, d.id]);

    // Creating blocked work that is already started (or assigned) is refused.
    const refused = await api
      .user('post', b.base)
      .send({ title: 'x', depends_on_task_ids: [c.id], status: 'in_progress' })
      .expect(409);
    expect(refused.body.detail.blocked_by_task_ids).toEqual([c.id]);
  });

  it('self-dependency → 422; unknown or foreign tasks → 404 naming them', async () => {
    const b = await boardWith();
    const other = await boardWith();
    const task = await b.task();
    const foreign = await other.task();
    const self = await b.patch(task.id, { depends_on_task_ids: [task.id] }).expect(422);
    expect(self.body.detail).toBe('Task cannot depend on itself.');
    const ghost = '00000000-0000-4000-8000-0000000000ab';
    const missing = await b.patch(task.id, { depends_on_task_ids: [ghost, foreign.id] }).expect(404);
    expect(missing.body.detail).toEqual({
      message: 'One or more dependency tasks were not found on this board.',
      missing_task_ids: [ghost, foreign.id],
    });
  });

  it('cycles, direct or through other tasks, → 409', async () => {
    const b = await boardWith();
    const a = await b.task();
    const c = await b.task({ depends_on_task_ids: [a.id] });
    const d = await b.task({ depends_on_task_ids: [c.id] });
    const direct = await b.patch(a.id, { depends_on_task_ids: [c.id] }).expect(409);
    expect(direct.body.detail).toBe('Dependency cycle detected. Remove the cycle before saving.');
    await b.patch(a.id, { depends_on_task_ids: [d.id] }).expect(409);
    expect((await b.get(a.id)).depends_on_task_ids).toEqual([]);
  });

  it('replace is delete-then-insert, and a done task’s dependencies are frozen', async () => {
    const b = await boardWith();
    const [x, y] = [await b.task(), await b.task()];
    const task = await b.task({ depends_on_task_ids: [x.id] });
    const replaced = await b.patch(task.id, { depends_on_task_ids: [y.id] }).expect(200);
    expect(replaced.body.depends_on_task_ids).toEqual([y.id]);
    await b.patch(y.id, { status: 'done' }).expect(200);
    await b.patch(task.id, { status: 'done' }).expect(200);
    const frozen = await b.patch(task.id, { depends_on_task_ids: [] }).expect(409);
    expect(frozen.body.detail).toBe('Cannot change task dependencies after a task is done.');
  });

  it('reopening a dependency sends started dependents back to an unassigned inbox', async () => {
    const b = await boardWith();
    const dep = await b.task();
    await b.patch(dep.id, { status: 'done' }).expect(200);
    const started = await b.task({ depends_on_task_ids: [dep.id] });
    const pristine = await b.task({ depends_on_task_ids: [dep.id] });
    await b.patch(started.id, { status: 'in_progress', assigned_agent_id: b.worker.id }).expect(200);

    await b.patch(dep.id, { status: 'in_progress' }).expect(200);
    const reset = await b.get(started.id);
    expect(reset).toMatchObject({ status: 'inbox', assigned_agent_id: null, in_progress_at: null, blocked_by_task_ids: [dep.id] });
    const events = await api.user('get', `/api/v1/activity?task_id=${started.id}&event_type=task.status_changed`).expect(200);
    expect(events.body.items[0].message).toBe(`Task returned to inbox: dependency reopened (${dep.title}).`);
    const untouched = await api.user('get', `/api/v1/activity?task_id=${pristine.id}&event_type=task.updated`).expect(200);
    expect(untouched.body.items[0].message).toBe(`Dependency completion changed: ${dep.title}.`);
  });
});
