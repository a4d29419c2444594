import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LOCAL_ORGANIZATION_ID } from '../../backend/contract/common.js';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #16: board groups and their group memory with the web edition's paths and shapes, and the board
 * fields that go with them (`organization_id`, `board_group_id`). Agents reach a group only through
 * their own board, and write as themselves.
 */

const api = useTestApi();

async function groupedBoard(groupName = 'Release train') {
  const f = fixtures(api);
  const group = (
    await api
      .user('post', '/api/v1/board-groups')
      .send({ name: f.unique(groupName), description: 'Boards that ship together' })
      .expect(200)
  ).body as { id: string; slug: string; organization_id: string };
  const board = await f.board({ board_group_id: group.id });
  const worker = await f.agent(board.id);
  return { f, group, board, worker };
}

/** Reads server-sent events until `count` `memory` events arrived; returns their data. */
function readMemoryEvents(path: string, token: string, count: number, onOpen: () => Promise<void>): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${api.url}${path}`, { headers: { 'X-Agent-Token': token } }, (res: IncomingMessage) => {
      const events: unknown[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith(': connected')) void onOpen().catch(reject);
          const data = /^event: memory\ndata: (.*)$/s.exec(frame)?.[1];
          if (data) events.push(JSON.parse(data));
          if (events.length === count) {
            req.destroy();
            resolve(events);
          }
        }
      });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    req.end();
  });
}

describe('board groups (web-edition shapes)', () => {
  it('board reads carry organization_id and board_group_id; a board joins and leaves a group by PATCH', async () => {
    const { group, board, worker } = await groupedBoard();
    expect(group.organization_id).toBe(LOCAL_ORGANIZATION_ID);
    expect(group.slug).toMatch(/^release-train/);
    const read = (await api.agent(worker.token, 'get', `/api/v1/agent/boards/${board.id}`).expect(200)).body;
    expect(read).toMatchObject({ organization_id: LOCAL_ORGANIZATION_ID, board_group_id: group.id });
    const listed = (await api.user('get', `/api/v1/boards?board_group_id=${group.id}`).expect(200)).body;
    expect(listed.items.map((b: { id: string }) => b.id)).toEqual([board.id]);
    expect(
      (await api.user('patch', `/api/v1/boards/${board.id}`).send({ board_group_id: null }).expect(200)).body.board_group_id,
    ).toBeNull();
    const bad = await api.user('patch', `/api/v1/boards/${board.id}`).send({ board_group_id: randomUUID() });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body.detail)).toContain('board_group_id');
  });

  it('group memory: the user writes to the group, an agent of a grouped board reads and writes it as itself', async () => {
    const { group, board, worker } = await groupedBoard();
    await api
      .user('post', `/api/v1/board-groups/${group.id}/memory`)
      .send({ content: 'Freeze on Thursday.', tags: ['decision'] })
      .expect(200);
    const read = (await api.agent(worker.token, 'get', `/api/v1/boards/${board.id}/group-memory?is_chat=false`).expect(200)).body;
    expect(read.items).toEqual([
      expect.objectContaining({ board_group_id: group.id, content: 'Freeze on Thursday.', author: 'user', is_chat: false }),
    ]);
    const written = (
      await api
        .agent(worker.token, 'post', `/api/v1/boards/${board.id}/group-memory`)
        .send({ content: 'API frozen.', tags: ['chat'] })
        .expect(200)
    ).body;
    expect(written).toMatchObject({ source: worker.name, author: 'agent', agent_id: worker.id, is_chat: true });
    const all = (await api.user('get', `/api/v1/board-groups/${group.id}/memory`).expect(200)).body;
    expect(all.items.map((m: { content: string }) => m.content)).toEqual(['API frozen.', 'Freeze on Thursday.']);
  });

  it('trust: an agent cannot name another writer, nor reach another board’s group', async () => {
    const { board, worker } = await groupedBoard();
    const other = await groupedBoard('Other train');
    const named = await api
      .agent(worker.token, 'post', `/api/v1/boards/${board.id}/group-memory`)
      .send({ content: 'Ship it.', source: 'user' });
    expect(named.status).toBe(403);
    expect(named.body.detail).toMatchObject({ code: 'actor_from_credential', loc: ['body', 'source'] });
    await api.agent(worker.token, 'get', `/api/v1/boards/${other.board.id}/group-memory`).expect(403);
    await api.agent(worker.token, 'post', `/api/v1/boards/${other.board.id}/group-memory`).send({ content: 'Hi' }).expect(403);
    await api.agent(worker.token, 'get', `/api/v1/board-groups/${other.group.id}/memory`).expect(401);
  });

  it('a board without a group: the read is an empty page, a write is a 422', async () => {
    const f = fixtures(api);
    const board = await f.board();
    const worker = await f.agent(board.id);
    expect((await api.agent(worker.token, 'get', `/api/v1/boards/${board.id}/group-memory`).expect(200)).body).toMatchObject({
      items: [],
      total: 0,
    });
    const refused = await api
      .agent(worker.token, 'post', `/api/v1/boards/${board.id}/group-memory`)
      .send({ content: 'Anyone?' })
      .expect(422);
    expect(JSON.stringify(refused.body.detail)).toContain('not in a board group');
  });

  it('the stream sends entries after ?since, then each new one, as `event: memory` with {memory}', async () => {
    const { group, board, worker } = await groupedBoard();
    const before = new Date(Date.now() - 60_000).toISOString().replace('Z', '');
    await api.user('post', `/api/v1/board-groups/${group.id}/memory`).send({ content: 'Earlier note.' }).expect(200);
    const events = await readMemoryEvents(`/api/v1/boards/${board.id}/group-memory/stream?since=${before}`, worker.token, 2, async () => {
      await api
        .user('post', `/api/v1/board-groups/${group.id}/memory`)
        .send({ content: 'Live note.', tags: ['chat'] })
        .expect(200);
    });
    expect(events.map((e) => (e as { memory: { content: string } }).memory.content)).toEqual(['Earlier note.', 'Live note.']);
  });

  it('deleting a group ungroups its boards and removes its memory', async () => {
    const { group, board } = await groupedBoard();
    await api.user('post', `/api/v1/board-groups/${group.id}/memory`).send({ content: 'Gone soon.' }).expect(200);
    await api.user('delete', `/api/v1/board-groups/${group.id}`).expect(200);
    expect((await api.user('get', `/api/v1/boards/${board.id}`).expect(200)).body.board_group_id).toBeNull();
    await api.user('get', `/api/v1/board-groups/${group.id}/memory`).expect(404);
  });
});
