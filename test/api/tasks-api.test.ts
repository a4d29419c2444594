import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/* Task CRUD, lists, lead-created tasks, comments, tags and the board snapshot (reference §2.3, §2.4). */

const api = useTestApi();
const f = fixtures(api);

async function setup(rules: Record<string, unknown> = {}) {
  const t = await f.taskBoard(rules);
  const worker = await f.agent(t.board.id, { name: f.unique('Scout') });
  const other = await f.agent(t.board.id, { name: f.unique('Ranger') });
  return { ...t, worker, other };
}

describe('lists', () => {
  it('newest first, paged, filtered by status list, assignee and unassigned', async () => {
    const s = await setup();
    const a = await s.task();
    const b = await s.task({ assigned_agent_id: s.worker.id });
    const c = await s.task({ status: 'in_progress' });
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((t) => t.id);

    const all = await api.user('get', s.base).expect(200);
    expect(ids(all)).toEqual([c.id, b.id, a.id]);
    expect(all.body).toMatchObject({ total: 3, limit: 200, offset: 0 });
    const paged = await api.user('get', `${s.base}?limit=1&offset=1`).expect(200);
    expect(ids(paged)).toEqual([b.id]);
    expect(paged.body.total).toBe(3);

    expect(ids(await api.agent(s.worker.token, 'get', `${s.agentBase}?status=in_progress,review`).expect(200))).toEqual([c.id]);
    expect(ids(await api.agent(s.worker.token, 'get', `${s.agentBase}?assigned_agent_id=${s.worker.id}`).expect(200))).toEqual([b.id]);
    expect(ids(await api.agent(s.worker.token, 'get', `${s.agentBase}?unassigned=true`).expect(200))).toEqual([c.id, a.id]);
    const bad = await api.agent(s.worker.token, 'get', `${s.agentBase}?status=inbox,nope`).expect(422);
    expect(JSON.stringify(bad.body.detail)).toContain('Unsupported task status filter.');
  });

  it('serializes a page in a constant number of queries (no N+1 over dependencies or tags)', async () => {
    const tag = await api
      .user('post', '/api/v1/tags')
      .send({ name: f.unique('tag') })
      .expect(200);
    const small = await setup();
    const large = await setup();
    const seed = async (s: Awaited<ReturnType<typeof setup>>, n: number) => {
      let previous: string | null = null;
      for (let i = 0; i < n; i++) {
        const t: { id: string } = await s.task({ depends_on_task_ids: previous ? [previous] : [], tag_ids: [tag.body.id] });
        previous = t.id;
      }
    };
    await seed(small, 2);
    await seed(large, 25);
    const sqlite = api.backend.services.ctx.sqlite;
    const prepare = sqlite.prepare.bind(sqlite);
    let statements = 0;
    sqlite.prepare = ((source: string) => {
      // Gateway reconnect attempts record their state in the background; they are not part of the request.
      if (!/"gateways"/.test(source)) statements++;
      return prepare(source);
    }) as typeof sqlite.prepare;
    const count = async (url: string) => {
      statements = 0;
      await api.user('get', url).expect(200);
      return statements;
    };
    try {
      const few = await count(small.base);
      const many = await count(large.base);
      expect(few).toBeGreaterThan(3);
      expect(many).toBe(few);
      expect(await count(`/api/v1/boards/${large.board.id}/snapshot`)).toBeLessThan(20);
    } finally {
      sqlite.prepare = prepare;
    }
  });
});

describe('create, read, delete', () => {
  it('the user creates a task with tags; the lead hears NEW TASK ADDED and the assignee TASK ASSIGNED', async () => {
    const s = await setup();
    const red = await api
      .user('post', '/api/v1/tags')
      .send({ name: f.unique('red') })
      .expect(200);
    const blue = await api
      .user('post', '/api/v1/tags')
      .send({ name: f.unique('blue') })
      .expect(200);
    const created = await s.task({ tag_ids: [blue.body.id, red.body.id, blue.body.id], assigned_agent_id: s.worker.id, description: 'd' });
    expect(created).toMatchObject({
      status: 'inbox',
      priority: 'medium',
      auto_created: false,
      tag_ids: [blue.body.id, red.body.id],
      tags: [
        { id: blue.body.id, name: blue.body.name, slug: blue.body.slug, color: blue.body.color },
        { id: red.body.id, name: red.body.name, slug: red.body.slug, color: red.body.color },
      ],
      custom_field_values: {},
    });
    expect(s.outbox(s.lead.id).map((m) => m.kind)).toContain('task.created');
    expect(s.outbox(s.worker.id).find((m) => m.kind === 'task.assigned')?.message).toContain('TASK ASSIGNED');

    const ghost = '00000000-0000-4000-8000-0000000000cd';
    const missing = await api
      .user('post', s.base)
      .send({ title: 'x', tag_ids: [ghost] })
      .expect(404);
    expect(missing.body.detail).toEqual({ message: 'One or more tags were not found.', missing_tag_ids: [ghost] });
    await api
      .user('post', s.base)
      .send({ title: 'x', custom_field_values: { estimate: 3 } })
      .expect(422);
  });

  it('tasks are read through their own board only', async () => {
    const s = await setup();
    const other = await setup();
    const task = await s.task();
    await api.user('get', `${s.base}/${task.id}`).expect(200);
    await api.user('get', `${other.base}/${task.id}`).expect(404);
    const created = await api.user('get', `/api/v1/activity?task_id=${task.id}&event_type=task.created`).expect(200);
    expect(created.body.items[0].message).toBe(`Task created: ${task.title}.`);
  });

  it('a lead creates tasks (auto_created), never for itself, never blocked-and-started, never already done', async () => {
    const s = await setup();
    const elsewhere = await setup();
    const create = (who: { token: string }, body: Record<string, unknown>) =>
      api.agent(who.token, 'post', s.agentBase).send({ title: f.unique('Lead task'), ...body });

    const made = await create(s.lead, { assigned_agent_id: s.worker.id }).expect(200);
    expect(made.body).toMatchObject({ auto_created: true, auto_reason: `lead_agent:${s.lead.id}`, assigned_agent_id: s.worker.id });
    expect(
      s
        .outbox(s.worker.id)
        .filter((m) => m.task_id === made.body.id)
        .map((m) => m.kind),
    ).toEqual(['task.assigned']);

    const notLead = await create(s.worker, {}).expect(403);
    expect(notLead.body.detail).toBe('Only board leads can perform this action');
    const self = await create(s.lead, { assigned_agent_id: s.lead.id }).expect(403);
    expect(self.body.detail).toBe('Board leads cannot assign tasks to themselves.');
    await create(s.lead, { assigned_agent_id: elsewhere.worker.id }).expect(409);
    const dep = await s.task();
    const blocked = await create(s.lead, { depends_on_task_ids: [dep.id], assigned_agent_id: s.worker.id }).expect(409);
    expect(blocked.body.detail.code).toBe('task_blocked_cannot_transition');
    await create(s.lead, { depends_on_task_ids: [dep.id] }).expect(200);
    const done = await create(s.lead, { status: 'done' }).expect(409);
    expect(done.body.detail.message).toBe('Task can only be marked done when a linked approval has been approved.');
  });

  it('agents delete tasks only as the board lead; the user deletes too', async () => {
    const s = await setup();
    const task = await s.task();
    const denied = await api.agent(s.worker.token, 'delete', `${s.agentBase}/${task.id}`).expect(403);
    expect(denied.body.detail).toBe('Only board leads can perform this action');
    await api.agent(s.lead.token, 'delete', `${s.agentBase}/${task.id}`).expect(200);
    await api.user('get', `${s.base}/${task.id}`).expect(404);
    const second = await s.task();
    await api.user('delete', `${s.base}/${second.id}`).expect(200);
    await api.user('delete', `${s.base}/${second.id}`).expect(404);
  });

  it('deleting a task moves a shared approval to its next task and drops one left without tasks', async () => {
    const s = await setup();
    const [a, b, c] = [await s.task(), await s.task(), await s.task()];
    const url = `/api/v1/boards/${s.board.id}/approvals`;
    const shared = await api
      .user('post', url)
      .send({ action_type: 'x', confidence: 50, task_ids: [a.id, b.id] })
      .expect(200);
    await api.user('post', url).send({ action_type: 'y', confidence: 50, task_id: c.id }).expect(200);
    await api.user('delete', `${s.base}/${a.id}`).expect(200);
    await api.user('delete', `${s.base}/${c.id}`).expect(200);
    const list = await api.user('get', url).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: shared.body.id, task_id: b.id, task_ids: [b.id] });
  });
});

describe('comments', () => {
  it('oldest first; @mentions are told (never the author); otherwise the assignee', async () => {
    const s = await setup();
    const task = await s.task({ assigned_agent_id: s.worker.id });
    const url = `${s.agentBase}/${task.id}/comments`;
    const first = await api
      .agent(s.worker.token, 'post', url)
      .send({ message: `@${s.other.name.split(' ')[0]} can you check? @${s.worker.name.split(' ')[0]}` })
      .expect(200);
    expect(first.body).toMatchObject({ agent_id: s.worker.id, task_id: task.id });
    await api.user('post', `${s.base}/${task.id}/comments`).send({ message: 'Status?' }).expect(200);

    const mention = s.outbox(s.other.id).filter((m) => m.kind === 'task.comment_mention');
    expect(mention).toHaveLength(1);
    expect(mention[0]?.message).toContain('TASK MENTION');
    const toWorker = s.outbox(s.worker.id).filter((m) => m.kind.startsWith('task.comment'));
    expect(toWorker.map((m) => m.kind)).toEqual(['task.comment']);
    expect(toWorker[0]?.message).toContain('Status?');

    const list = await api.agent(s.other.token, 'get', url).expect(200);
    expect(list.body.items.map((c: { message: string }) => c.message)).toEqual([first.body.message, 'Status?']);
  });

  it('leads comment during review, when mentioned, or on tasks they created', async () => {
    const s = await setup();
    const task = await s.task();
    const url = `${s.agentBase}/${task.id}/comments`;
    const denied = await api.agent(s.lead.token, 'post', url).send({ message: 'hi' }).expect(403);
    expect(denied.body.detail).toBe('Board leads can only comment during review, when mentioned, or on tasks they created.');
    await api.agent(s.worker.token, 'post', url).send({ message: 'question for @lead' }).expect(200);
    await api.agent(s.lead.token, 'post', url).send({ message: 'answer' }).expect(200);

    const own = await api.agent(s.lead.token, 'post', s.agentBase).send({ title: 'mine' }).expect(200);
    await api.agent(s.lead.token, 'post', `${s.agentBase}/${own.body.id}/comments`).send({ message: 'note' }).expect(200);
  });
});

describe('board snapshot', () => {
  it('has the board, its tasks, agents, approvals, chat (oldest first) and the pending count', async () => {
    const s = await setup();
    const task = await s.task();
    await api
      .user('post', `/api/v1/boards/${s.board.id}/memory`)
      .send({ content: 'first', tags: ['chat'] })
      .expect(200);
    await api
      .user('post', `/api/v1/boards/${s.board.id}/memory`)
      .send({ content: 'second', tags: ['chat'] })
      .expect(200);
    await api
      .user('post', `/api/v1/boards/${s.board.id}/approvals`)
      .send({ action_type: 'x', confidence: 1, task_id: task.id })
      .expect(200);
    const res = await api.user('get', `/api/v1/boards/${s.board.id}/snapshot`).expect(200);
    expect(res.body.board.id).toBe(s.board.id);
    expect(res.body.tasks.map((t: { id: string }) => t.id)).toEqual([task.id]);
    expect(res.body.agents).toHaveLength(3);
    expect(res.body.approvals).toHaveLength(1);
    expect(res.body.chat_messages.map((m: { content: string }) => m.content)).toEqual(['first', 'second']);
    expect(res.body.pending_approvals_count).toBe(1);
    const elsewhere = await setup();
    await api.agent(elsewhere.worker.token, 'get', `/api/v1/boards/${s.board.id}/snapshot`).expect(403);
  });
});
