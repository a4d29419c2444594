import { describe, expect, it } from 'vitest';
import { InputDateTime, QueryBool } from '../../backend/contract/common.js';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #16: where the web edition (FastAPI + pydantic) is lenient, this app is too: unknown body keys are
 * dropped, a date-time without an offset is UTC, query booleans take pydantic's spellings, and a lead
 * creating an agent may send `status` and list-valued `identity_profile` entries. The trust rules that
 * leniency must not lift are walked in test/api/web-edition-walk.test.ts.
 */

const api = useTestApi();

describe('the web edition’s spellings', () => {
  it('query booleans: true/false/1/0/yes/no/on/off/t/f/y/n in any case; anything else is refused', () => {
    for (const word of ['true', 'True', 'TRUE', '1', 'yes', 'Yes', 'on', 'ON', 't', 'Y']) expect(QueryBool.parse(word), word).toBe(true);
    for (const word of ['false', 'False', '0', 'no', 'NO', 'off', 'Off', 'f', 'n', 'N']) expect(QueryBool.parse(word), word).toBe(false);
    for (const word of ['', 'maybe', '2', 'truthy', 'yess']) expect(QueryBool.safeParse(word).success, word).toBe(false);
  });

  it('date-times: no offset is UTC; an offset or Z is kept; a space for the T is read; nonsense is refused', () => {
    expect(InputDateTime.parse('2026-12-31T17:00:00')).toBe('2026-12-31T17:00:00Z');
    expect(InputDateTime.parse('2026-12-31T17:00:00.123456')).toBe('2026-12-31T17:00:00.123456Z');
    expect(InputDateTime.parse('2026-12-31 17:00:00')).toBe('2026-12-31T17:00:00Z');
    expect(InputDateTime.parse('2026-12-31T17:00:00+02:00')).toBe('2026-12-31T17:00:00+02:00');
    expect(InputDateTime.parse('2026-12-31T17:00:00Z')).toBe('2026-12-31T17:00:00Z');
    for (const bad of ['2026-12-31', 'tomorrow', '2026-13-01T00:00:00', '']) expect(InputDateTime.safeParse(bad).success, bad).toBe(false);
  });
});

/** A board lead's `POST /api/v1/agent/agents` with this body. */
async function leadCreates(body: Record<string, unknown>) {
  const f = fixtures(api);
  const board = await f.board({ max_agents: 5 });
  const lead = await f.agent(board.id, { is_board_lead: true });
  return api.agent(lead.token, 'post', '/api/v1/agent/agents').send(body);
}

describe('over HTTP', () => {
  it('unknown body keys, nested too, are dropped and named in X-Ignored-Fields; the known ones are kept', async () => {
    const res = await leadCreates({ name: `Nested ${Date.now()}`, heartbeat_config: { every: '15m', interval_seconds: 900 }, team: 'ops' });
    expect(res.status).toBe(200);
    expect(String(res.headers['x-ignored-fields']).split(', ').sort()).toEqual(['heartbeat_config.interval_seconds', 'team']);
    expect(res.body.heartbeat_config).toMatchObject({ every: '15m' });
    expect(res.body.heartbeat_config).not.toHaveProperty('interval_seconds');
  });

  it('a lead’s offset-less due_at is stored as UTC', async () => {
    const f = fixtures(api);
    const board = await f.board();
    const lead = await f.agent(board.id, { is_board_lead: true });
    const res = await api
      .agent(lead.token, 'post', `/api/v1/agent/boards/${board.id}/tasks`)
      .send({ title: 'Due at five', due_at: '2026-12-31T17:00:00' })
      .expect(200);
    expect(res.body.due_at).toBe('2026-12-31T17:00:00.000Z');
  });

  it('?is_chat=False and ?unassigned=YES filter as the words say', async () => {
    const f = fixtures(api);
    const board = await f.board();
    const worker = await f.agent(board.id);
    await api
      .user('post', `/api/v1/boards/${board.id}/memory`)
      .send({ content: 'A note.', tags: ['note'] })
      .expect(200);
    await api
      .user('post', `/api/v1/boards/${board.id}/memory`)
      .send({ content: 'A chat line.', tags: ['chat'] })
      .expect(200);
    const notes = await api.agent(worker.token, 'get', `/api/v1/agent/boards/${board.id}/memory?is_chat=False`).expect(200);
    expect(notes.body.items.map((m: { content: string }) => m.content)).toEqual(['A note.']);
    await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Nobody’s' }).expect(200);
    await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Mine', assigned_agent_id: worker.id }).expect(200);
    const open = await api.agent(worker.token, 'get', `/api/v1/agent/boards/${board.id}/tasks?unassigned=YES`).expect(200);
    expect(open.body.items.map((t: { title: string }) => t.title)).toEqual(['Nobody’s']);
  });

  it('a lead creating an agent with `status` and a list-valued identity_profile: accepted, status ignored, lists joined', async () => {
    const res = await leadCreates({
      name: `Researcher ${Date.now()}`,
      status: 'online',
      identity_profile: { role: ' researcher ', skills: ['search', ' summarise ', ''], empty: [], gone: null },
    });
    expect(res.status).toBe(200);
    // Lifecycle states are Mission Control's: the new agent is provisioning until it checks in.
    expect(res.body.status).toBe('provisioning');
    expect(res.body.identity_profile).toEqual({ role: 'researcher', skills: 'search, summarise' });
  });
});
