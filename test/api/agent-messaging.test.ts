import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * The web edition's agent messaging endpoints (#16): nudge, ask-user, lead message, broadcast — their
 * request shapes (as its templates teach them), their answers, and who may message whom, decided from
 * the caller's token. The gateway here is offline, so every message stays in the outbox (pending), where
 * these tests read it; delivery on the real gateway is test/integration/agent-messaging.test.ts.
 */
const api = useTestApi();
const f = fixtures(api);

interface OutboxRow {
  kind: string;
  message: string;
  board_id: string | null;
  status: string;
}
const outbox = (agentId: string): OutboxRow[] => api.backend.services.tasks.outboxFor(agentId);
const deliverFlag = (agentId: string, kind: string) =>
  api.backend.services.ctx.sqlite.prepare('SELECT deliver FROM agent_messages WHERE agent_id = ? AND kind = ?').pluck().get(agentId, kind);
const activityOf = async (query: string) =>
  (await api.user('get', `/api/v1/activity?${query}`).expect(200)).body.items as { event_type: string; message: string }[];

/** A gateway with its main agent, a board with a lead and a worker on it; every token minted. */
async function team() {
  const gw = await f.gateway();
  const board = await f.board({ gateway_id: gw.id, max_agents: 5 });
  const lead = await f.agent(board.id, { is_board_lead: true });
  const worker = await f.agent(board.id);
  const main = { id: gw.main_agent_id, token: await f.tokenFor(gw.main_agent_id) };
  return { gw, board, lead, worker, main };
}

describe('POST /api/v1/agent/boards/{board_id}/agents/{agent_id}/nudge', () => {
  it('a lead nudges a worker of its board: {ok:true}, a NUDGE queued for the worker’s session, the web edition’s activity', async () => {
    const t = await team();
    const res = await api
      .agent(t.lead.token, 'post', `/api/v1/agent/boards/${t.board.id}/agents/${t.worker.id}/nudge`)
      .send({ message: 'The review is waiting on you.' })
      .expect(200);
    expect(res.body).toEqual({ ok: true });
    const [queued] = outbox(t.worker.id).filter((m) => m.kind === 'agent.nudge');
    expect(queued).toMatchObject({ status: 'pending', board_id: t.board.id });
    expect(queued!.message.split('\n')[0]).toBe('NUDGE FROM LEAD');
    expect(queued!.message).toContain(`From lead: ${t.lead.name}`);
    expect(queued!.message).toContain('The review is waiting on you.');
    expect(deliverFlag(t.worker.id, 'agent.nudge')).toBe(1);
    expect((await activityOf(`agent_id=${t.lead.id}`)).map((a) => a.event_type)).toContain('agent.nudge.sent');
  });

  it('refuses every caller but the board’s lead (403), and a target off the board (404); nothing is queued', async () => {
    const t = await team();
    const other = await team();
    const path = (boardId: string, agentId: string) => `/api/v1/agent/boards/${boardId}/agents/${agentId}/nudge`;
    const body = { message: 'hello' };
    for (const [who, token] of [
      ['a worker', t.worker.token],
      ['the gateway main agent', t.main.token],
    ] as const) {
      const res = await api.agent(token, 'post', path(t.board.id, t.lead.id)).send(body);
      expect(res.status, who).toBe(403);
      expect(res.body.detail, who).toBe('Only board leads can perform this action');
    }
    // Another board's lead, naming this board: the board check answers first.
    await api.agent(other.lead.token, 'post', path(t.board.id, t.worker.id)).send(body).expect(403);
    // Its own board, but a target on another board or the gateway's main agent: not an agent of this board.
    for (const target of [other.worker.id, t.main.id]) {
      const res = await api.agent(t.lead.token, 'post', path(t.board.id, target)).send(body).expect(404);
      expect(res.body.detail).toBe('Agent not found');
    }
    await api.agent(t.lead.token, 'post', path(crypto.randomUUID(), t.worker.id)).send(body).expect(404);
    expect(outbox(t.worker.id).filter((m) => m.kind === 'agent.nudge')).toEqual([]);
    expect(outbox(other.worker.id).filter((m) => m.kind === 'agent.nudge')).toEqual([]);
  });

  it('bodies are bounded: a blank or oversized message is a 422 naming body.message', async () => {
    const t = await team();
    for (const message of ['   ', 'x'.repeat(10_001)]) {
      const res = await api
        .agent(t.lead.token, 'post', `/api/v1/agent/boards/${t.board.id}/agents/${t.worker.id}/nudge`)
        .send({ message })
        .expect(422);
      expect(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(['body.message']);
    }
  });
});

describe('POST /api/v1/agent/boards/{board_id}/gateway/main/ask-user', () => {
  it('reaches the user in the board chat and the gateway main agent through the outbox; the user’s answer reaches the lead', async () => {
    const t = await team();
    const res = await api
      .agent(t.lead.token, 'post', `/api/v1/agent/boards/${t.board.id}/gateway/main/ask-user`)
      .send({ content: 'May we raise the vendor budget by 10%?', correlation_id: 'ask-user-001', preferred_channel: 'chat' })
      .expect(200);
    const main = (await api.user('get', `/api/v1/agents/${t.main.id}`).expect(200)).body as { name: string };
    expect(res.body).toEqual({ ok: true, board_id: t.board.id, main_agent_id: t.main.id, main_agent_name: main.name });

    // What the user sees: the question in the board chat, written by the lead.
    const chat = (await api.user('get', `/api/v1/boards/${t.board.id}/memory?is_chat=true`).expect(200)).body.items;
    expect(chat[0]).toMatchObject({ author: 'agent', agent_id: t.lead.id, source: t.lead.name, is_chat: true, tags: ['chat', 'ask_user'] });
    expect(chat[0].content).toContain('May we raise the vendor budget by 10%?');
    expect(chat[0].content).toContain('Correlation ID: ask-user-001');

    // What the gateway's main agent is sent (deliver: true, as in the web edition).
    const [asked] = outbox(t.main.id).filter((m) => m.kind === 'gateway.lead.ask_user');
    expect(asked!.message.split('\n')[0]).toBe('LEAD REQUEST: ASK USER');
    expect(asked!.message).toContain(`From lead: ${t.lead.name}`);
    expect(asked!.message).toContain('Preferred channel: chat');
    expect(asked!.message).toContain('"tags":["gateway_main","user_reply","user_via_gateway_main"]');
    expect(asked!.message).not.toContain('"source"');
    expect(deliverFlag(t.main.id, 'gateway.lead.ask_user')).toBe(1);
    expect((await activityOf(`board_id=${t.board.id}`)).map((a) => a.event_type)).toContain('gateway.lead.ask_user.sent');

    // The user answers in the chat: the existing chat fan-out takes it to the lead.
    await api
      .user('post', `/api/v1/boards/${t.board.id}/memory`)
      .send({ content: 'Yes, go ahead.', tags: ['chat'] })
      .expect(200);
    expect(outbox(t.lead.id).some((m) => m.kind === 'board.chat' && m.message.includes('Yes, go ahead.'))).toBe(true);
  });

  it('only the board’s own lead may ask (403 for a worker, the main agent, another board’s lead); nothing is posted', async () => {
    const t = await team();
    const other = await team();
    for (const token of [t.worker.token, t.main.token, other.lead.token]) {
      const res = await api.agent(token, 'post', `/api/v1/agent/boards/${t.board.id}/gateway/main/ask-user`).send({ content: 'Shall we?' });
      expect(res.status).toBe(403);
    }
    const chat = (await api.user('get', `/api/v1/boards/${t.board.id}/memory`).expect(200)).body.items;
    expect(chat).toEqual([]);
    expect(outbox(t.main.id).filter((m) => m.kind === 'gateway.lead.ask_user')).toEqual([]);
  });
});

describe('POST /api/v1/agent/gateway/boards/{board_id}/lead/message', () => {
  it('the main agent’s question, as the template writes it, is queued for the board’s lead', async () => {
    const t = await team();
    const res = await api
      .agent(t.main.token, 'post', `/api/v1/agent/gateway/boards/${t.board.id}/lead/message`)
      .send({ kind: 'question', correlation_id: '<optional>', content: '...' })
      .expect(200);
    expect(res.body).toEqual({
      ok: true,
      board_id: t.board.id,
      lead_agent_id: t.lead.id,
      lead_agent_name: t.lead.name,
      lead_created: false,
    });
    const [queued] = outbox(t.lead.id).filter((m) => m.kind === 'gateway.main.lead_message');
    expect(queued!.message.split('\n')[0]).toBe('GATEWAY MAIN QUESTION');
    expect(queued!.message).toContain('Correlation ID: <optional>');
    expect(queued!.message).toContain(`POST ${api.backend.config.baseUrl}/api/v1/agent/boards/${t.board.id}/memory`);
    expect(queued!.message).toContain('"tags":["gateway_main","lead_reply","lead_to_gateway_main"]');
    // deliver: false, as in the web edition (a control message, not a user-facing one).
    expect(deliverFlag(t.lead.id, 'gateway.main.lead_message')).toBe(0);

    await api
      .agent(t.main.token, 'post', `/api/v1/agent/gateway/boards/${t.board.id}/lead/message`)
      .send({ kind: 'handoff', content: 'Take over the launch checklist.', reply_tags: ['handoff_ack'], reply_source: 'launch' })
      .expect(200);
    const handoff = outbox(t.lead.id).filter((m) => m.kind === 'gateway.main.lead_message')[1]!;
    expect(handoff.message.split('\n')[0]).toBe('GATEWAY MAIN HANDOFF');
    expect(handoff.message).toContain('"tags":["handoff_ack","launch"]');
  });

  it('refuses any caller but the gateway main agent, and boards of another gateway; 404 for no board', async () => {
    const t = await team();
    const other = await team();
    const url = (boardId: string) => `/api/v1/agent/gateway/boards/${boardId}/lead/message`;
    for (const token of [t.lead.token, t.worker.token]) {
      const res = await api.agent(token, 'post', url(t.board.id)).send({ content: 'hi' }).expect(403);
      expect(res.body.detail).toBe('Only the dedicated gateway agent may call this endpoint.');
    }
    const foreign = await api.agent(other.main.token, 'post', url(t.board.id)).send({ content: 'hi' }).expect(403);
    expect(foreign.body.detail.code).toBe('board_not_on_gateway');
    const missing = await api.agent(t.main.token, 'post', url(crypto.randomUUID())).send({ content: 'hi' }).expect(404);
    expect(missing.body.detail).toBe('Board not found');
    await api.agent(t.main.token, 'post', url(t.board.id)).send({ kind: 'order', content: 'hi' }).expect(422);
    expect(outbox(t.lead.id)).toEqual([]);
  });

  it('a board without a lead gets one (lead_created: true), as in the web edition; the message waits for it', async () => {
    const gw = await f.gateway();
    const board = (await f.board({ gateway_id: gw.id })) as unknown as { id: string; name: string };
    const token = await f.tokenFor(gw.main_agent_id);
    const res = await api
      .agent(token, 'post', `/api/v1/agent/gateway/boards/${board.id}/lead/message`)
      .send({ content: 'Who owns the backlog?' })
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, board_id: board.id, lead_agent_name: `${board.name} Lead`, lead_created: true });
    const lead = (await api.user('get', `/api/v1/agents/${res.body.lead_agent_id}`).expect(200)).body;
    expect(lead).toMatchObject({ board_id: board.id, is_board_lead: true });
    expect(outbox(lead.id).map((m) => m.kind)).toContain('gateway.main.lead_message');
    // A second message finds that lead.
    const again = await api.agent(token, 'post', `/api/v1/agent/gateway/boards/${board.id}/lead/message`).send({ content: 'And now?' });
    expect(again.body).toMatchObject({ lead_agent_id: lead.id, lead_created: false });
  });
});

describe('POST /api/v1/agent/gateway/leads/broadcast', () => {
  it('reaches the lead of every board of the caller’s gateway, with a result per board; other gateways are untouched', async () => {
    const t = await team();
    const second = await f.board({ gateway_id: t.gw.id });
    const secondLead = await f.agent(second.id, { is_board_lead: true });
    const elsewhere = await team();
    const res = await api
      .agent(t.main.token, 'post', '/api/v1/agent/gateway/leads/broadcast')
      .send({ kind: 'question', correlation_id: '<optional>', content: 'Incident: pause deploys.' })
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, sent: 2, failed: 0 });
    expect(res.body.results).toEqual([
      { board_id: second.id, lead_agent_id: secondLead.id, lead_agent_name: secondLead.name, ok: true, error: null },
      { board_id: t.board.id, lead_agent_id: t.lead.id, lead_agent_name: t.lead.name, ok: true, error: null },
    ]);
    for (const lead of [t.lead, secondLead]) {
      const [queued] = outbox(lead.id).filter((m) => m.kind === 'gateway.main.lead_broadcast');
      expect(queued!.message).toContain('Incident: pause deploys.');
    }
    expect(outbox(elsewhere.lead.id)).toEqual([]);
    expect(outbox(t.worker.id)).toEqual([]);
    const activity = await activityOf(`agent_id=${t.main.id}`);
    expect(activity.find((a) => a.event_type === 'gateway.main.lead_broadcast.sent')?.message).toBe(
      'Broadcast question to 2 board leads (failed: 0).',
    );
  });

  it('board_ids narrows it (a board of another gateway is left out); a board whose lead cannot be made is a failed result', async () => {
    const t = await team();
    const elsewhere = await team();
    const leadless = (await f.board({ gateway_id: t.gw.id })) as unknown as { id: string; name: string };
    // The lead it would create is named "<board> Lead"; an agent of that name on the gateway blocks it.
    await f.agent(t.board.id, { name: `${leadless.name} Lead` });
    const res = await api
      .agent(t.main.token, 'post', '/api/v1/agent/gateway/leads/broadcast')
      .send({ content: 'Status?', board_ids: [leadless.id, elsewhere.board.id, t.board.id, t.board.id] })
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, sent: 1, failed: 1 });
    expect(res.body.results.map((r: { board_id: string }) => r.board_id)).toEqual([leadless.id, t.board.id]);
    expect(res.body.results[0]).toMatchObject({ ok: false, lead_agent_id: null, error: expect.stringMatching(/already exists/) });
    expect(outbox(t.lead.id).filter((m) => m.kind === 'gateway.main.lead_broadcast')).toHaveLength(1);
    expect(outbox(elsewhere.lead.id)).toEqual([]);
  });

  it('only a gateway main agent may broadcast', async () => {
    const t = await team();
    for (const token of [t.lead.token, t.worker.token]) {
      const res = await api.agent(token, 'post', '/api/v1/agent/gateway/leads/broadcast').send({ content: 'all hands' }).expect(403);
      expect(res.body.detail).toBe('Only the dedicated gateway agent may call this endpoint.');
    }
    await api.raw().post('/api/v1/agent/gateway/leads/broadcast').send({ content: 'all hands' }).expect(401);
    expect(outbox(t.lead.id)).toEqual([]);
  });
});

describe('/openapi.json', () => {
  it('lists the four operations with the web edition’s operation ids and role tags', async () => {
    const doc = (await api.raw().get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
    };
    const op = (path: string) => doc.paths[path]?.post;
    expect(op('/api/v1/agent/boards/{board_id}/agents/{agent_id}/nudge')).toMatchObject({
      operationId: 'agent_lead_nudge_agent',
      tags: ['agent-lead'],
    });
    expect(op('/api/v1/agent/boards/{board_id}/gateway/main/ask-user')).toMatchObject({
      operationId: 'agent_lead_ask_user_via_gateway_main',
      tags: ['agent-lead'],
    });
    expect(op('/api/v1/agent/gateway/boards/{board_id}/lead/message')).toMatchObject({
      operationId: 'agent_main_message_board_lead',
      tags: ['agent-main'],
    });
    expect(op('/api/v1/agent/gateway/leads/broadcast')).toMatchObject({
      operationId: 'agent_main_broadcast_lead_message',
      tags: ['agent-main'],
    });
  });
});
