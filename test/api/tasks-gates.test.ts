import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/* Reference §7.1 items 16–18: the board gates in front of done and status changes. */

const api = useTestApi();
const f = fixtures(api);

const APPROVAL_FOR_DONE = 'Task can only be marked done when a linked approval has been approved.';
const REVIEW_BEFORE_DONE = 'Task can only be marked done from review when the board rule is enabled.';
const PENDING_BLOCKS = 'Task status cannot be changed while a linked approval is pending.';

async function boardWith(rules: Record<string, unknown> = {}) {
  const board = await f.board({ max_agents: 5, ...rules });
  const lead = await f.agent(board.id, { is_board_lead: true });
  const worker = await f.agent(board.id);
  const base = `/api/v1/boards/${board.id}`;
  const task = async (body: Record<string, unknown> = {}) =>
    (
      await api
        .user('post', `${base}/tasks`)
        .send({ title: f.unique('Task'), ...body })
        .expect(200)
    ).body as { id: string };
  const approval = async (body: Record<string, unknown>) =>
    (
      await api
        .user('post', `${base}/approvals`)
        .send({ action_type: 'task.complete', confidence: 90, lead_reasoning: 'looks right', ...body })
        .expect(200)
    ).body as { id: string };
  const resolve = (id: string, status: string) => api.user('patch', `${base}/approvals/${id}`).send({ status }).expect(200);
  const patch = (taskId: string, body: Record<string, unknown>) => api.user('patch', `${base}/tasks/${taskId}`).send(body);
  const statusOf = async (taskId: string) => (await api.user('get', `${base}/tasks/${taskId}`).expect(200)).body.status as string;
  return { board, lead, worker, base, task, approval, resolve, patch, statusOf };
}

describe('done requires an approved approval (§7.1 16)', () => {
  it('default board: no approval or a pending one → 409; the task stays where it was', async () => {
    const b = await boardWith();
    const task = await b.task();
    await b.patch(task.id, { status: 'in_progress' }).expect(200);
    const none = await b.patch(task.id, { status: 'done' }).expect(409);
    expect(none.body.detail).toEqual({ message: APPROVAL_FOR_DONE, blocked_by_task_ids: [] });
    await b.approval({ task_id: task.id });
    const pending = await b.patch(task.id, { status: 'done' }).expect(409);
    expect(pending.body.detail.message).toBe(APPROVAL_FOR_DONE);
    expect(await b.statusOf(task.id)).toBe('in_progress');
  });

  it('an approved approval naming the task as task_id opens the gate', async () => {
    const b = await boardWith();
    const task = await b.task();
    const approval = await b.approval({ task_id: task.id });
    await b.resolve(approval.id, 'approved');
    const res = await b.patch(task.id, { status: 'done' }).expect(200);
    expect(res.body.status).toBe('done');
  });

  it('an approved multi-task approval linking the task opens the gate (also for the lead from review)', async () => {
    const b = await boardWith();
    const first = await b.task();
    const second = await b.task();
    const approval = await b.approval({ task_ids: [first.id, second.id] });
    await b.resolve(approval.id, 'approved');
    await b.patch(second.id, { status: 'review' }).expect(200);
    const res = await api
      .agent(b.lead.token, 'patch', `/api/v1/agent/boards/${b.board.id}/tasks/${second.id}`)
      .send({ status: 'done' })
      .expect(200);
    expect(res.body.status).toBe('done');
  });

  it('a rejected approval does not count', async () => {
    const b = await boardWith();
    const task = await b.task();
    const approval = await b.approval({ task_id: task.id });
    await b.resolve(approval.id, 'rejected');
    await b.patch(task.id, { status: 'done' }).expect(409);
  });

  it('require_approval_for_done=false: done without any approval', async () => {
    const b = await boardWith({ require_approval_for_done: false });
    const task = await b.task();
    await b.patch(task.id, { status: 'done' }).expect(200);
  });
});

describe('review before done (§7.1 17)', () => {
  it('rule on: done from in_progress → 409; from review → allowed', async () => {
    const b = await boardWith({ require_approval_for_done: false, require_review_before_done: true });
    const task = await b.task();
    await b.patch(task.id, { status: 'in_progress' }).expect(200);
    const refused = await b.patch(task.id, { status: 'done' }).expect(409);
    expect(refused.body.detail).toEqual({ message: REVIEW_BEFORE_DONE, blocked_by_task_ids: [] });
    expect(await b.statusOf(task.id)).toBe('in_progress');
    await b.patch(task.id, { status: 'review' }).expect(200);
    await b.patch(task.id, { status: 'done' }).expect(200);
  });
});

describe('a pending approval freezes the status (§7.1 18)', () => {
  const rules = { require_approval_for_done: false, block_status_changes_with_pending_approval: true };

  it('pending approval on the task (task_id) → 409 for a status change', async () => {
    const b = await boardWith(rules);
    const task = await b.task();
    await b.approval({ task_id: task.id });
    const res = await b.patch(task.id, { status: 'in_progress' }).expect(409);
    expect(res.body.detail).toEqual({ message: PENDING_BLOCKS, blocked_by_task_ids: [] });
    expect(await b.statusOf(task.id)).toBe('inbox');
  });

  it('pending approval linking the task through task_ids → 409, also for a worker', async () => {
    const b = await boardWith(rules);
    const other = await b.task();
    const task = await b.task();
    await b.approval({ task_ids: [other.id, task.id] });
    const res = await api
      .agent(b.worker.token, 'patch', `/api/v1/agent/boards/${b.board.id}/tasks/${task.id}`)
      .send({ status: 'in_progress' })
      .expect(409);
    expect(res.body.detail.message).toBe(PENDING_BLOCKS);
  });

  it('rule off: status changes go through despite a pending approval', async () => {
    const b = await boardWith({ require_approval_for_done: false });
    const task = await b.task();
    await b.approval({ task_id: task.id });
    await b.patch(task.id, { status: 'in_progress' }).expect(200);
  });

  it('dependency-only changes pass; an incomplete dependency sends the task back to the inbox', async () => {
    const b = await boardWith(rules);
    const dep = await b.task();
    const task = await b.task();
    await b.patch(task.id, { status: 'in_progress' }).expect(200);
    await b.approval({ task_id: task.id });
    const res = await b.patch(task.id, { depends_on_task_ids: [dep.id] }).expect(200);
    expect(res.body.status).toBe('inbox');
    expect(res.body.assigned_agent_id).toBeNull();
    expect(res.body.blocked_by_task_ids).toEqual([dep.id]);
    expect(res.body.is_blocked).toBe(true);
  });
});
