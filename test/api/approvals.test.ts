import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/* Reference §7.1 items 22–24: approval schema, one pending approval per task, lead notified. */

const api = useTestApi();
const f = fixtures(api);

async function setup() {
  const board = await f.board({ max_agents: 5 });
  const lead = await f.agent(board.id, { is_board_lead: true });
  const worker = await f.agent(board.id);
  const task = async (title = f.unique('Task')) =>
    (await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title }).expect(200)).body as { id: string; title: string };
  const agentUrl = `/api/v1/agent/boards/${board.id}/approvals`;
  const userUrl = `/api/v1/boards/${board.id}/approvals`;
  const ask = (body: Record<string, unknown>) =>
    api.agent(worker.token, 'post', agentUrl).send({ action_type: 'task.complete', confidence: 80, ...body });
  return { board, lead, worker, task, agentUrl, userUrl, ask };
}

describe('approval schema (§7.1 22)', () => {
  it('confidence is required and must be 0..100; fractions are kept', async () => {
    const s = await setup();
    await s.ask({ confidence: undefined, lead_reasoning: 'why' }).expect(422);
    await s.ask({ confidence: -1, lead_reasoning: 'why' }).expect(422);
    await s.ask({ confidence: 101, lead_reasoning: 'why' }).expect(422);
    const ok = await s.ask({ confidence: 88.75, lead_reasoning: 'why' }).expect(200);
    expect(ok.body.confidence).toBe(88.75);
  });

  it('a reason is required from agents: lead_reasoning (copied to payload.reason), payload.reason or payload.decision.reason', async () => {
    const s = await setup();
    const missing = await s.ask({}).expect(422);
    expect(missing.body.detail).toBe('lead reasoning is required');
    await s.ask({ payload: { reason: '   ' } }).expect(422);

    const viaLead = await s.ask({ lead_reasoning: ' Needs a human. ', payload: { service: 'api' } }).expect(200);
    expect(viaLead.body.payload).toEqual({ service: 'api', reason: 'Needs a human.' });
    const viaPayload = await s.ask({ payload: { reason: 'Risky deploy.' } }).expect(200);
    expect(viaPayload.body.payload).toEqual({ reason: 'Risky deploy.' });
    const viaDecision = await s.ask({ payload: { decision: { reason: 'Needs manual approval.' } } }).expect(200);
    expect(viaDecision.body.payload).toEqual({ decision: { reason: 'Needs manual approval.' } });
    expect(viaDecision.body.agent_id).toBe(s.worker.id);
  });

  it('agents only ask: they cannot create a resolved approval, nor link tasks of another board', async () => {
    const s = await setup();
    const other = await setup();
    const foreign = await other.task();
    await s.ask({ lead_reasoning: 'x', status: 'approved' }).expect(403);
    const res = await s.ask({ lead_reasoning: 'x', task_id: foreign.id }).expect(404);
    expect(res.body.detail.missing_task_ids).toEqual([foreign.id]);
  });
});

describe('one pending approval per task (§7.1 23)', () => {
  it('a second pending approval for a task, directly or through task_ids, → 409 naming the conflict', async () => {
    const s = await setup();
    const a = await s.task();
    const b = await s.task();
    const first = await s.ask({ task_id: a.id, lead_reasoning: 'x' }).expect(200);

    const direct = await s.ask({ task_id: a.id, lead_reasoning: 'again' }).expect(409);
    expect(direct.body.detail).toEqual({
      message: 'Each task can have only one pending approval.',
      conflicts: [{ task_id: a.id, approval_id: first.body.id }],
    });
    const linked = await s.ask({ task_ids: [b.id, a.id], lead_reasoning: 'both' }).expect(409);
    expect(linked.body.detail.conflicts).toEqual([{ task_id: a.id, approval_id: first.body.id }]);
    // Nothing was written by the refused requests.
    const list = await api.user('get', s.userUrl).expect(200);
    expect(list.body.total).toBe(1);
  });

  it('task_titles follow the task order; task_id is the first task', async () => {
    const s = await setup();
    const a = await s.task('Alpha');
    const b = await s.task('Bravo');
    const c = await s.task('Charlie');
    const res = await s.ask({ task_id: c.id, task_ids: [a.id, c.id, b.id], lead_reasoning: 'x' }).expect(200);
    expect(res.body.task_id).toBe(c.id);
    expect(res.body.task_ids).toEqual([c.id, a.id, b.id]);
    expect(res.body.task_titles).toEqual(['Charlie', 'Alpha', 'Bravo']);
    const listed = await api.agent(s.worker.token, 'get', s.agentUrl).expect(200);
    expect(listed.body.items[0].task_titles).toEqual(['Charlie', 'Alpha', 'Bravo']);
  });

  it('re-opening an approval to pending while another is pending for its task → 409', async () => {
    const s = await setup();
    const a = await s.task();
    const first = await s.ask({ task_id: a.id, lead_reasoning: 'x' }).expect(200);
    await api.user('patch', `${s.userUrl}/${first.body.id}`).send({ status: 'rejected' }).expect(200);
    const second = await s.ask({ task_id: a.id, lead_reasoning: 'retry' }).expect(200);
    const reopen = await api.user('patch', `${s.userUrl}/${first.body.id}`).send({ status: 'pending' }).expect(409);
    expect(reopen.body.detail.conflicts).toEqual([{ task_id: a.id, approval_id: second.body.id }]);
  });

  it('lists filter by status and count pending approvals in the snapshot', async () => {
    const s = await setup();
    const a = await s.task();
    const b = await s.task();
    await s.ask({ task_id: a.id, lead_reasoning: 'x' }).expect(200);
    const done = await s.ask({ task_id: b.id, lead_reasoning: 'y' }).expect(200);
    await api.user('patch', `${s.userUrl}/${done.body.id}`).send({ status: 'approved' }).expect(200);
    const pending = await api.user('get', `${s.userUrl}?status=pending`).expect(200);
    expect(pending.body.items.map((x: { task_id: string }) => x.task_id)).toEqual([a.id]);
    const snapshot = await api.agent(s.lead.token, 'get', `/api/v1/boards/${s.board.id}/snapshot`).expect(200);
    expect(snapshot.body.pending_approvals_count).toBe(1);
    expect(snapshot.body.approvals).toHaveLength(2);
  });
});

describe('resolution notifies the lead (§7.1 24)', () => {
  it('approved / rejected → APPROVAL RESOLVED with the decision; staying pending → nothing', async () => {
    const s = await setup();
    const a = await s.task();
    const b = await s.task();
    const first = await s.ask({ task_id: a.id, lead_reasoning: 'x' }).expect(200);
    const second = await s.ask({ task_id: b.id, lead_reasoning: 'y' }).expect(200);
    const resolved = () => api.backend.services.tasks.outboxFor(s.lead.id).filter((m) => m.kind === 'approval.resolved');

    await api.user('patch', `${s.userUrl}/${first.body.id}`).send({ status: 'pending' }).expect(200);
    expect(resolved()).toEqual([]);

    const approved = await api.user('patch', `${s.userUrl}/${first.body.id}`).send({ status: 'approved' }).expect(200);
    expect(approved.body.status).toBe('approved');
    expect(approved.body.resolved_at).not.toBeNull();
    await api.user('patch', `${s.userUrl}/${second.body.id}`).send({ status: 'rejected' }).expect(200);

    const messages = resolved().map((m) => m.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('APPROVAL RESOLVED');
    expect(messages[0]).toContain('Decision: approved');
    expect(messages[0]).toContain(`Task ID: ${a.id}`);
    expect(messages[1]).toContain('Decision: rejected');
  });

  it('resolving is for the user only', async () => {
    const s = await setup();
    const res = await s.ask({ lead_reasoning: 'x' }).expect(200);
    await api.raw().patch(`${s.userUrl}/${res.body.id}`).set('X-Agent-Token', s.lead.token).send({ status: 'approved' }).expect(401);
  });
});
