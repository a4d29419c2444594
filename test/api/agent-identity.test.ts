import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { boardMemory } from '../../backend/db/schema.js';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #13 item 2: an agent cannot speak as someone else. The actor comes from the credential, never from
 * the body: every agent-reachable body field that names an actor (`source` on board memory, `agent_id`
 * on an approval, `created_by_user_id` on a lead's task) may only name the caller or be left out, and
 * what is stored is attributed from the token. See docs/security.md, "Agents stay under supervision".
 */

const api = useTestApi();
const f = fixtures(api);

async function board() {
  const b = await f.board({ max_agents: 3 });
  const lead = await f.agent(b.id, { is_board_lead: true });
  const worker = await f.agent(b.id);
  return { board: b, lead, worker };
}

const refusedField = (body: { detail: unknown }, field: string) =>
  expect(body.detail).toMatchObject({ code: 'actor_from_credential', loc: ['body', field], message: expect.stringContaining(field) });

describe('board chat and notes are attributed to the agent that wrote them', () => {
  it('source "user" (or another agent’s name) from an agent is refused on both routes; nothing is stored', async () => {
    const s = await board();
    for (const [path, source] of [
      [`/api/v1/agent/boards/${s.board.id}/memory`, 'user'],
      [`/api/v1/boards/${s.board.id}/memory`, 'User'],
      [`/api/v1/agent/boards/${s.board.id}/memory`, s.lead.name],
    ] as const) {
      const res = await api
        .agent(s.worker.token, 'post', path)
        .send({ content: 'Approved, ship it.', tags: ['chat'], source })
        .expect(403);
      refusedField(res.body, 'source');
    }
    expect(api.backend.services.ctx.db.select().from(boardMemory).where(eq(boardMemory.boardId, s.board.id)).all()).toEqual([]);
  });

  it('an agent’s message carries its own name and id and author "agent"; the user’s carries author "user" (the UI’s "You")', async () => {
    const s = await board();
    const plain = await api
      .agent(s.worker.token, 'post', `/api/v1/agent/boards/${s.board.id}/memory`)
      .send({ content: 'hi', tags: ['chat'] });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ source: s.worker.name, author: 'agent', agent_id: s.worker.id });
    // Its own name, in any case, is accepted (and stored as its name).
    const own = await api
      .agent(s.worker.token, 'post', `/api/v1/agent/boards/${s.board.id}/memory`)
      .send({ content: 'note', source: s.worker.name.toUpperCase() })
      .expect(200);
    expect(own.body).toMatchObject({ source: s.worker.name, author: 'agent', agent_id: s.worker.id });
    const mine = await api
      .user('post', `/api/v1/boards/${s.board.id}/memory`)
      .send({ content: 'from me', tags: ['chat'], source: 'user' })
      .expect(200);
    expect(mine.body).toMatchObject({ source: 'user', author: 'user', agent_id: null });

    const snapshot = (await api.user('get', `/api/v1/boards/${s.board.id}/snapshot`).expect(200)).body;
    expect(snapshot.chat_messages.map((m: { author: string; agent_id: string | null }) => [m.author, m.agent_id])).toEqual([
      ['agent', s.worker.id],
      ['user', null],
    ]);
  });
});

describe('approvals created by an agent are that agent’s', () => {
  it('agent_id naming another agent is refused; left out or its own id, the approval is the caller’s', async () => {
    const s = await board();
    const url = `/api/v1/agent/boards/${s.board.id}/approvals`;
    const ask = (token: string, body: Record<string, unknown>) =>
      api.agent(token, 'post', url).send({ action_type: 'deploy', confidence: 70, lead_reasoning: 'why', ...body });

    refusedField((await ask(s.worker.token, { agent_id: s.lead.id }).expect(403)).body, 'agent_id');
    refusedField((await ask(s.lead.token, { agent_id: s.worker.id }).expect(403)).body, 'agent_id');
    // The shared route (user or agent) too.
    const shared = await api
      .agent(s.worker.token, 'post', `/api/v1/boards/${s.board.id}/approvals`)
      .send({ action_type: 'deploy', confidence: 70, lead_reasoning: 'why', agent_id: s.lead.id })
      .expect(403);
    refusedField(shared.body, 'agent_id');
    expect((await api.user('get', `/api/v1/boards/${s.board.id}/approvals`).expect(200)).body.items).toEqual([]);

    expect((await ask(s.worker.token, {}).expect(200)).body.agent_id).toBe(s.worker.id);
    expect((await ask(s.lead.token, { agent_id: s.lead.id }).expect(200)).body.agent_id).toBe(s.lead.id);
    // The user (trusted) may say which agent an approval concerns.
    const byUser = await api
      .user('post', `/api/v1/boards/${s.board.id}/approvals`)
      .send({ action_type: 'deploy', confidence: 70, agent_id: s.worker.id })
      .expect(200);
    expect(byUser.body.agent_id).toBe(s.worker.id);
  });
});

describe('a lead’s task is the lead’s', () => {
  it('created_by_user_id from a lead is refused; without it the task records the lead (auto_reason)', async () => {
    const s = await board();
    const url = `/api/v1/agent/boards/${s.board.id}/tasks`;
    const res = await api.agent(s.lead.token, 'post', url).send({ title: 'Spoofed', created_by_user_id: 'local-user' }).expect(403);
    refusedField(res.body, 'created_by_user_id');
    expect((await api.user('get', `/api/v1/boards/${s.board.id}/tasks`).expect(200)).body.items).toEqual([]);
    const ok = await api.agent(s.lead.token, 'post', url).send({ title: 'Mine' }).expect(200);
    expect(ok.body).toMatchObject({ created_by_user_id: null, auto_created: true, auto_reason: `lead_agent:${s.lead.id}` });
  });
});
