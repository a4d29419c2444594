import { describe, expect, it } from 'vitest';
import type { TaskRead } from '../../backend/contract/tasks.js';
import { createSseParser } from '../../renderer/src/model/api/events.js';
import { relativeTime, roleOf, secondsLeft, wakeLadder } from '../../renderer/src/model/format.js';
import { href, parseRoute, sectionOf } from '../../renderer/src/model/routes.js';
import { upsertAgent } from '../../renderer/src/model/stores/app-store.js';
import { groupByStatus, replaceTask } from '../../renderer/src/model/stores/board-store.js';
import { agentRecord as agent, iso, NOW } from '../support/renderer.js';

/* The renderer's pure pieces: what the tables and the kanban compute from API records. */

describe('wake ladder', () => {
  it('shows which wake is outstanding and counts down to its deadline', () => {
    expect(wakeLadder(agent({ wake_attempts: 2, checkin_deadline_at: iso(4_200) }), 3, NOW)).toEqual({
      label: '2/3',
      deadlineIn: 5,
      exhausted: false,
    });
    expect(wakeLadder(agent({ wake_attempts: 2, checkin_deadline_at: iso(-1_000) }), 3, NOW).deadlineIn).toBe(0);
  });
  it('is exhausted when the last wake went unanswered and the agent is offline', () => {
    expect(wakeLadder(agent({ wake_attempts: 3, status: 'offline' }), 3, NOW)).toEqual({ label: '3/3', deadlineIn: null, exhausted: true });
  });
  it('shows nothing when no wake is outstanding (a check-in clears the ladder)', () => {
    expect(wakeLadder(agent({ wake_attempts: 0, status: 'online' }), 3, NOW).label).toBeNull();
  });
});

describe('formatting', () => {
  it('relative times', () => {
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime(iso(-2_000), NOW)).toBe('just now');
    expect(relativeTime(iso(-42_000), NOW)).toBe('42 s ago');
    expect(relativeTime(iso(-5 * 60_000), NOW)).toBe('5 min ago');
    expect(relativeTime(iso(-3 * 3_600_000), NOW)).toBe('3 h ago');
    expect(relativeTime(iso(-49 * 3_600_000), NOW)).toBe('2 d ago');
    expect(secondsLeft(null, NOW)).toBeNull();
  });
  it('roles', () => {
    expect(roleOf(agent({ is_gateway_main: true }))).toBe('gateway main');
    expect(roleOf(agent({ is_board_lead: true }))).toBe('lead');
    expect(roleOf(agent({}))).toBe('worker');
  });
});

describe('routes', () => {
  it('every href parses back to its page', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect(parseRoute(href.overview())).toEqual({ page: 'overview' });
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute(href.gatewayNew())).toEqual({ page: 'gateway-new' });
    expect(parseRoute(href.gateway(id))).toEqual({ page: 'gateway', id });
    expect(parseRoute(href.board(id, 'task-1'))).toEqual({ page: 'board', id, task: 'task-1' });
    expect(parseRoute(href.agent(id))).toEqual({ page: 'agent', id });
    expect(parseRoute(href.logs({ agent: id, event: 'lifecycle.*' }))).toEqual({ page: 'logs', agent: id, event: 'lifecycle.*' });
    expect(parseRoute(href.troubleshoot())).toEqual({ page: 'troubleshoot' });
    expect(parseRoute('#/nope/x')).toEqual({ page: 'not-found', path: '/nope/x' });
    expect(sectionOf(parseRoute(href.board(id)))).toBe('boards');
  });
});

describe('server-sent events parser', () => {
  it('assembles events split across chunks and drops comments', () => {
    const parse = createSseParser();
    expect(parse(': connected\n\nevent: agent\ndata: {"a"')).toEqual([]);
    expect(parse(':1}\n\n: ping\n\nevent: agent\r\ndata: 2\r\n\r\n')).toEqual([
      { event: 'agent', data: '{"a":1}' },
      { event: 'agent', data: '2' },
    ]);
  });
});

describe('store helpers', () => {
  it('a live agent update replaces its row in place; a new agent is added in name order', () => {
    const a = agent({ id: '00000000-0000-4000-8000-000000000001', name: 'Alpha' });
    const c = agent({ id: '00000000-0000-4000-8000-000000000003', name: 'Charlie' });
    const list = [a, c];
    const updated = upsertAgent(list, { ...c, status: 'online' });
    expect(updated.map((x) => [x.name, x.status])).toEqual([
      ['Alpha', 'provisioning'],
      ['Charlie', 'online'],
    ]);
    expect(updated[0]).toBe(a); // untouched rows keep their identity (no re-render)
    const b = agent({ id: '00000000-0000-4000-8000-000000000002', name: 'Bravo' });
    expect(upsertAgent(list, b).map((x) => x.name)).toEqual(['Alpha', 'Bravo', 'Charlie']);
  });
  it('tasks group into the four columns', () => {
    const task = (id: string, status: TaskRead['status']) => ({ id, status }) as TaskRead;
    const tasks = [task('1', 'inbox'), task('2', 'done'), task('3', 'inbox')];
    const cols = groupByStatus(tasks);
    expect(cols.inbox.map((t) => t.id)).toEqual(['1', '3']);
    expect(cols.in_progress).toEqual([]);
    expect(cols.done.map((t) => t.id)).toEqual(['2']);
    expect(replaceTask(tasks, task('3', 'review')).map((t) => t.status)).toEqual(['inbox', 'done', 'review']);
  });
});
