import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/* Reference §7.1 items 9–15 and 19: who may move a task, and who hears about it. */

const api = useTestApi();
const f = fixtures(api);

type Agent = { id: string; name: string; token: string };

async function team(rules: Record<string, unknown> = {}) {
  const t = await f.taskBoard(rules);
  const worker = (await f.agent(t.board.id)) as Agent;
  const other = (await f.agent(t.board.id)) as Agent;
  const patchAs = (who: Agent, taskId: string, body: Record<string, unknown>) =>
    api.agent(who.token, 'patch', `${t.agentBase}/${taskId}`).send(body);
  const patchAsUser = (taskId: string, body: Record<string, unknown>) => api.user('patch', `${t.base}/${taskId}`).send(body);
  const events = async (taskId: string, eventType: string) =>
    (await api.user('get', `/api/v1/activity?task_id=${taskId}&event_type=${eventType}`).expect(200)).body.items as { message: string }[];
  return { ...t, lead: t.lead as Agent, worker, other, patchAs, patchAsUser, events };
}

describe('worker claims and permissions (§7.1 9–10)', () => {
  it('a worker claims an inbox task assigned to it, or an unassigned one', async () => {
    const t = await team();
    const mine = await t.task({ assigned_agent_id: t.worker.id });
    const free = await t.task();
    for (const task of [mine, free]) {
      const res = await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
      expect(res.body.status).toBe('in_progress');
      expect(res.body.assigned_agent_id).toBe(t.worker.id);
      expect(res.body.in_progress_at).not.toBeNull();
    }
  });

  it('a worker cannot move a task assigned to someone else, nor assign tasks', async () => {
    const t = await team();
    const theirs = await t.task({ assigned_agent_id: t.other.id });
    const mismatch = await t.patchAs(t.worker, theirs.id, { status: 'in_progress' }).expect(403);
    expect(mismatch.body.detail).toEqual({
      message: 'Agents can only change status on tasks assigned to them.',
      code: 'task_assignee_mismatch',
    });

    const mine = await t.task({ assigned_agent_id: t.worker.id });
    for (const body of [{ assigned_agent_id: t.worker.id }, { title: 'renamed' }, { depends_on_task_ids: [] }, { tag_ids: [] }]) {
      const res = await t.patchAs(t.worker, mine.id, body).expect(403);
      expect(res.body.detail.code).toBe('task_update_field_forbidden');
    }
    const unchanged = await api.user('get', `${t.base}/${mine.id}`).expect(200);
    expect(unchanged.body.status).toBe('inbox');
  });

  it('an agent of another board gets task_board_mismatch', async () => {
    const t = await team();
    const elsewhere = await team();
    const task = await t.task();
    // A task id under the agent's own board path is simply not there.
    await elsewhere.patchAs(elsewhere.worker, task.id, { status: 'in_progress' }).expect(404);
    const direct = await api
      .agent(elsewhere.worker.token, 'patch', `${t.agentBase}/${task.id}`)
      .send({ status: 'in_progress' })
      .expect(403);
    expect(direct.body.detail.code).toBe('task_board_mismatch');
  });
});

describe('review hand-off and rework (§7.1 11–13)', () => {
  it('moving to review assigns the lead, parks in_progress_at and queues TASK READY FOR LEAD REVIEW', async () => {
    const t = await team();
    const task = await t.task({ description: 'ship it' });
    const claimed = await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    const res = await t.patchAs(t.worker, task.id, { status: 'review', comment: 'Moving to review.' }).expect(200);
    expect(res.body.status).toBe('review');
    expect(res.body.assigned_agent_id).toBe(t.lead.id);
    expect(res.body.in_progress_at).toBeNull();
    expect(res.body.previous_in_progress_at).toBe(claimed.body.in_progress_at);

    const toLead = t.outbox(t.lead.id).filter((m) => m.task_id === task.id && m.kind === 'task.review_ready');
    expect(toLead).toHaveLength(1);
    expect(toLead[0]?.message).toContain('TASK READY FOR LEAD REVIEW');
    expect(toLead[0]?.message).toContain('review the deliverables');
    expect(toLead[0]?.message).toContain(`PATCH ${api.backend.config.baseUrl}/api/v1/agent/boards/${t.board.id}/tasks/${task.id}`);
    // The worker put itself on the task: no message to itself about it.
    expect(t.outbox(t.worker.id).filter((m) => m.task_id === task.id)).toEqual([]);
    const comments = await api.user('get', `${t.base}/${task.id}/comments`).expect(200);
    expect(comments.body.items.map((c: { message: string }) => c.message)).toEqual(['Moving to review.']);
  });

  it('lead back to inbox returns the task to the worker with CHANGES REQUESTED and the lead’s latest comment', async () => {
    const t = await team();
    const task = await t.task();
    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    await t.patchAs(t.worker, task.id, { status: 'review', comment: 'Ready for review.' }).expect(200);
    await api
      .agent(t.lead.token, 'post', `${t.agentBase}/${task.id}/comments`)
      .send({ message: 'Please update error handling and add tests for edge cases.' })
      .expect(200);

    const res = await t.patchAs(t.lead, task.id, { status: 'inbox' }).expect(200);
    expect(res.body.status).toBe('inbox');
    expect(res.body.assigned_agent_id).toBe(t.worker.id);
    const rework = t.outbox(t.worker.id).filter((m) => m.kind === 'task.rework');
    expect(rework).toHaveLength(1);
    expect(rework[0]?.message).toContain('CHANGES REQUESTED');
    expect(rework[0]?.message).toContain('Please update error handling and add tests for edge cases.');
  });

  it('a comment on a review task without a status change does not reassign it', async () => {
    const t = await team();
    const task = await t.task();
    await t.patchAsUser(task.id, { status: 'review' }).expect(200);
    await t.patchAsUser(task.id, { assigned_agent_id: null }).expect(200);
    const res = await t.patchAs(t.other, task.id, { comment: 'I can help with this.' }).expect(200);
    expect(res.body.status).toBe('review');
    expect(res.body.assigned_agent_id).toBeNull();
  });

  it('lead PATCH rules: no comment, no content fields, status only from review (or starting inbox work)', async () => {
    const t = await team();
    const task = await t.task();
    const comment = await t.patchAs(t.lead, task.id, { comment: 'hi' }).expect(403);
    expect(comment.body.detail).toMatch(/^Lead comment gate failed: /);
    const field = await t.patchAs(t.lead, task.id, { title: 'x' }).expect(403);
    expect(field.body.detail).toMatch(/^Lead field gate failed: .*title/);
    const status = await t.patchAs(t.lead, task.id, { status: 'review' }).expect(403);
    expect(status.body.detail).toMatch(/^Lead status gate failed: .*\(current: `inbox`\)\.$/);
    const self = await t.patchAs(t.lead, task.id, { assigned_agent_id: t.lead.id }).expect(403);
    expect(self.body.detail).toBe('Board leads cannot assign tasks to themselves.');
    const nulled = await t.patchAs(t.lead, task.id, { status: null }).expect(422);
    expect(nulled.body.detail).toBe('status is required');

    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    await t.patchAs(t.worker, task.id, { status: 'review' }).expect(200);
    const target = await t.patchAs(t.lead, task.id, { status: 'in_progress' }).expect(403);
    expect(target.body.detail).toMatch(/^Lead status target gate failed/);
  });
});

describe('comment required for review (§7.1 14)', () => {
  it('rule off: review without a comment works', async () => {
    const t = await team({ comment_required_for_review: false });
    const task = await t.task();
    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    const res = await t.patchAs(t.worker, task.id, { status: 'review' }).expect(200);
    expect(res.body.assigned_agent_id).toBe(t.lead.id);
  });

  it('rule on: 422 without a comment; a comment in the PATCH or one posted since starting passes', async () => {
    const t = await team({ comment_required_for_review: true });
    const task = await t.task();
    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    const refused = await t.patchAs(t.worker, task.id, { status: 'review' }).expect(422);
    expect(refused.body.detail).toBe('Comment is required.');
    expect((await api.user('get', `${t.base}/${task.id}`).expect(200)).body.status).toBe('in_progress');

    await api.agent(t.worker.token, 'post', `${t.agentBase}/${task.id}/comments`).send({ message: 'Done: see PR #1' }).expect(200);
    await t.patchAs(t.worker, task.id, { status: 'review' }).expect(200);

    const second = await t.task();
    await t.patchAs(t.worker, second.id, { status: 'in_progress' }).expect(200);
    await t.patchAs(t.worker, second.id, { status: 'review', comment: 'Evidence attached.' }).expect(200);
  });
});

describe('assignee wake (§7.1 15)', () => {
  it('lead assignment + in_progress wakes the worker exactly once, with "(assignment)", and tells it', async () => {
    const t = await team();
    const task = await t.task();
    const before = await api.user('get', `/api/v1/agents/${t.worker.id}`).expect(200);
    expect(before.body.last_seen_at).toBeNull();

    const res = await t.patchAs(t.lead, task.id, { assigned_agent_id: t.worker.id, status: 'in_progress' }).expect(200);
    expect(res.body.status).toBe('in_progress');
    expect(res.body.assigned_agent_id).toBe(t.worker.id);
    const worker = await api.user('get', `/api/v1/agents/${t.worker.id}`).expect(200);
    expect(worker.body.status).toBe('online');
    expect(worker.body.last_seen_at).not.toBeNull();
    const woken = await t.events(task.id, 'task.assignee_woken');
    expect(woken).toHaveLength(1);
    expect(woken[0]?.message).toContain('(assignment)');
    const assigned = t.outbox(t.worker.id).filter((m) => m.kind === 'task.assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.message).toContain('TASK ASSIGNED');
  });

  it('entering in_progress with the existing assignee wakes it once with "(status_in_progress)"', async () => {
    const t = await team();
    const task = await t.task({ assigned_agent_id: t.worker.id });
    // Creating it assigned already woke the worker once (assignment); the claim adds exactly one.
    const before = await t.events(task.id, 'task.assignee_woken');
    expect(before.map((e) => e.message)).toEqual([expect.stringContaining('(assignment)')]);
    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    const after = await t.events(task.id, 'task.assignee_woken');
    expect(after).toHaveLength(2);
    expect(after.filter((e) => e.message.includes('(status_in_progress)'))).toHaveLength(1);
  });
});

describe('only the lead moves status when the board says so (§7.1 19)', () => {
  it('workers get 403; the lead still sends review work back to the inbox', async () => {
    const t = await team({ only_lead_can_change_status: true });
    const task = await t.task({ assigned_agent_id: t.worker.id });
    const res = await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(403);
    expect(res.body.detail).toBe('Only board leads can change task status.');

    await t.patchAsUser(task.id, { status: 'review' }).expect(200);
    const back = await t.patchAs(t.lead, task.id, { status: 'inbox' }).expect(200);
    expect(back.body.status).toBe('inbox');
  });
});

describe('back in the inbox', () => {
  it('a worker dropping its task tells the lead TASK BACK IN INBOX', async () => {
    const t = await team();
    const task = await t.task();
    await t.patchAs(t.worker, task.id, { status: 'in_progress' }).expect(200);
    const res = await t.patchAs(t.worker, task.id, { status: 'inbox' }).expect(200);
    expect(res.body.assigned_agent_id).toBeNull();
    expect(res.body.previous_in_progress_at).not.toBeNull();
    const back = t.outbox(t.lead.id).filter((m) => m.kind === 'task.back_in_inbox' && m.task_id === task.id);
    expect(back).toHaveLength(1);
    expect(back[0]?.message).toContain('TASK BACK IN INBOX');
  });
});
