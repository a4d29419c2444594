import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { activityEvents, agentMessages, agents, boardMemory } from '../../backend/db/schema.js';
import { pausedBoardIds } from '../../backend/services/memory.js';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #13 item 1: an agent cannot take itself (or its board) out of supervision. It may not report a
 * lifecycle state (a `deleting` agent was skipped by the wake ladder and by token rotation and never
 * shown offline), and only a board's lead or the user may `/pause` a board. A paused board is not
 * exempt from a token rotation the user asked for (the sync needs the gateway then; on the real gateway:
 * test/integration/template-sync.test.ts). See docs/security.md, "Agents stay under supervision".
 */

const api = useTestApi();
const f = fixtures(api);
const db = () => api.backend.services.ctx.db;
const LIFECYCLE = ['provisioning', 'updating', 'deleting', 'offline'];

describe('an agent reports only the statuses an agent may report', () => {
  it.each(LIFECYCLE)(
    '"%s" is refused (422 naming body.status and the allowed values) on both status heartbeats; nothing changes',
    async (status) => {
      const board = await f.board();
      const agent = await f.agent(board.id);
      await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
      for (const [path, body] of [
        [`/api/v1/agents/${agent.id}/heartbeat`, { status }],
        [`/api/v1/agents/heartbeat`, { name: agent.name, status }],
        // Case and spaces do not get a lifecycle state through either.
        [`/api/v1/agents/${agent.id}/heartbeat`, { status: ` ${status.toUpperCase()} ` }],
      ] as const) {
        const res = await api.agent(agent.token, 'post', path).send(body).expect(422);
        const issue = res.body.detail.find((d: { loc: string[] }) => d.loc.join('.') === 'body.status');
        expect(issue?.msg).toMatch(
          /may report "online" or a status of their own.*provisioning, updating, deleting, offline are set by Mission Control only/,
        );
      }
      const row = db().select().from(agents).where(eq(agents.id, agent.id)).get();
      expect(row?.status).toBe('online');
    },
  );

  it('the user cannot set one through the heartbeat route either (Mission Control sets them by acting, not by a heartbeat)', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.user('post', `/api/v1/agents/${agent.id}/heartbeat`).send({ status: 'deleting' }).expect(422);
  });

  it('"online" and a status of its own are accepted (case folded); a label that could pass for something else is not', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const online = await api.agent(agent.token, 'post', `/api/v1/agents/${agent.id}/heartbeat`).send({ status: 'Online' }).expect(200);
    expect(online.body.status).toBe('online');
    const busy = await api
      .agent(agent.token, 'post', '/api/v1/agents/heartbeat')
      .send({ name: agent.name, status: 'in_review-2' })
      .expect(200);
    expect(busy.body.status).toBe('in_review-2');
    for (const status of ['deleting…', 'dele ting', '1online', 'x'.repeat(51), 'delеting' /* Cyrillic е */]) {
      await api.agent(agent.token, 'post', `/api/v1/agents/${agent.id}/heartbeat`).send({ status }).expect(422);
    }
  });

  it('OpenAPI tells agents the allowed values', async () => {
    const doc = (await api.raw().get('/openapi.json').expect(200)).body;
    expect(JSON.stringify(doc.paths['/api/v1/agents/{agent_id}/heartbeat'].post.requestBody)).toContain('set by Mission Control only');
  });
});

describe('/pause and /resume are the board lead’s or the user’s', () => {
  const chat = (token: string, boardId: string, content: string, via: 'agent' | 'shared' = 'agent') =>
    api
      .agent(token, 'post', via === 'agent' ? `/api/v1/agent/boards/${boardId}/memory` : `/api/v1/boards/${boardId}/memory`)
      .send({ content, tags: ['chat'] });
  const pausedNow = (boardId: string) => pausedBoardIds(db(), [boardId]).has(boardId);

  it('a worker’s /pause is refused (403), not stored, not sent, and the attempt is on the board’s activity feed', async () => {
    const board = await f.board({ max_agents: 3 });
    const lead = await f.agent(board.id, { is_board_lead: true });
    const worker = await f.agent(board.id);
    const before = db().select().from(agentMessages).where(eq(agentMessages.agentId, lead.id)).all().length;

    for (const [content, via] of [
      ['/pause', 'agent'],
      ['  /PAUSE ', 'shared'],
      ['/resume', 'agent'],
    ] as const) {
      const res = await chat(worker.token, board.id, content, via).expect(403);
      expect(res.body.detail).toMatchObject({
        code: 'board_command_forbidden',
        message: expect.stringContaining("Only the board's lead or the user"),
      });
    }
    expect(db().select().from(boardMemory).where(eq(boardMemory.boardId, board.id)).all()).toEqual([]);
    expect(db().select().from(agentMessages).where(eq(agentMessages.agentId, lead.id)).all().length).toBe(before);
    expect(pausedNow(board.id)).toBe(false);
    const refused = db().select().from(activityEvents).where(eq(activityEvents.eventType, 'board.command_refused')).all();
    expect(refused.filter((r) => r.agentId === worker.id && r.boardId === board.id)).toHaveLength(3);

    // The same words as a note (not chat) are not a command, and ordinary chat still works.
    await api
      .agent(worker.token, 'post', `/api/v1/agent/boards/${board.id}/memory`)
      .send({ content: '/pause', tags: ['note'] })
      .expect(200);
    await chat(worker.token, board.id, 'Should we /pause?').expect(200);
    expect(pausedNow(board.id)).toBe(false);
  });

  it('the gateway’s main agent is no board’s lead: refused too', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    const mainToken = await f.tokenFor(gateway.main_agent_id);
    await chat(mainToken, board.id, '/pause').expect(403);
    expect(pausedNow(board.id)).toBe(false);
  });

  it('the board’s lead and the user may pause and resume; the command reaches the other agents', async () => {
    const board = await f.board({ max_agents: 3 });
    const lead = await f.agent(board.id, { is_board_lead: true });
    const worker = await f.agent(board.id);
    await chat(lead.token, board.id, '/pause').expect(200);
    expect(pausedNow(board.id)).toBe(true);
    const sent = db().select().from(agentMessages).where(eq(agentMessages.agentId, worker.id)).all();
    expect(sent.map((m) => m.message)).toContain('/pause');
    await api
      .user('post', `/api/v1/boards/${board.id}/memory`)
      .send({ content: '/resume', tags: ['chat'] })
      .expect(200);
    expect(pausedNow(board.id)).toBe(false);
    // A lead of another board cannot reach this one at all.
    const otherLead = await f.agent((await f.board()).id, { is_board_lead: true });
    await chat(otherLead.token, board.id, '/pause').expect(403);
  });
});

describe('a paused board is not exempt from a token rotation the user asked for', () => {
  it('rotate_tokens=true includes the paused board’s agents (so it needs the gateway: 502 here), a plain sync skips them', async () => {
    const { gateway, board, agent } = await f.pausedBoard();

    const plain = await api.user('post', `/api/v1/gateways/${gateway.id}/templates/sync?include_main=false`).expect(200);
    expect(plain.body.agents).toMatchObject([{ agent_id: agent.id, outcome: 'skipped', reason: expect.stringContaining('paused') }]);

    // The gateway is offline: a sync that has to reach it answers 502 before touching any agent.
    const rotate = await api
      .user('post', `/api/v1/gateways/${gateway.id}/templates/sync?include_main=false&rotate_tokens=true`)
      .expect(502);
    expect(rotate.body.detail).toMatchObject({ code: 'unreachable' });
    const scoped = `/api/v1/gateways/${gateway.id}/templates/sync?include_main=false&rotate_tokens=true&board_id=${board.id}`;
    await api.user('post', scoped).expect(502);
  });
});

describe("Mission Control's own states stay its own when the agent checks in", () => {
  it.each(['updating', 'deleting'])('an agent that is %s and reports "online" (or a label of its own) keeps that state', async (state) => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    // What an update in progress or a teardown writes (provisioning / teardown, under the agent's lock).
    db().update(agents).set({ status: state }).where(eq(agents.id, agent.id)).run();
    for (const body of [{ status: 'online' }, { status: 'busy' }]) {
      await api.agent(agent.token, 'post', `/api/v1/agents/${agent.id}/heartbeat`).send(body).expect(200);
      expect(db().select().from(agents).where(eq(agents.id, agent.id)).get()?.status).toBe(state);
    }
  });
});
