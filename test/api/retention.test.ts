import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_AUTH_FAILURE_ROWS } from '../../backend/services/agent-auth.js';
import { pausedBoardIds } from '../../backend/services/memory.js';
import { KEEP_LIFECYCLE_PER_AGENT } from '../../backend/retention.js';
import { fixtures, manualClock, startTestApi, useTestApi } from '../support/api.js';

/*
 * The disk (#13 item 9): the growing tables keep a configurable horizon, and retention deletes only
 * what is past it and not protected (an agent's latest lifecycle events, undelivered messages, task
 * comments, board notes, the /pause that decides a board is paused). Agent-auth failures stay bounded
 * in rows and log lines however many tokens a client invents.
 */

const DAY = 86_400_000;
const clock = manualClock(new Date('2026-06-01T12:00:00Z'));

describe('retention', () => {
  const api = useTestApi({}, { now: clock.now });

  it('deletes rows past the horizon and keeps every protected one; Settings shows the run and the tables', async () => {
    const f = fixtures(api);
    const board = await f.board();
    const agent = await f.agent(board.id);
    const other = await f.agent(board.id);
    const sqlite = api.backend.services.ctx.sqlite;
    const now = clock.now().getTime();
    const old = (k: number) => now - 40 * DAY + k * 1000; // past a 30-day horizon, in order
    const recent = (k: number) => now - DAY + k * 1000;

    const lifecycle = sqlite.prepare('INSERT INTO lifecycle_events (id, event, agent_id, message, created_at) VALUES (?, ?, ?, ?, ?)');
    for (let k = 0; k < 60; k++) lifecycle.run(randomUUID(), 'lifecycle.wake.sent', agent.id, `old ${k}`, old(k));
    for (let k = 0; k < 5; k++) lifecycle.run(randomUUID(), 'lifecycle.checkin', agent.id, `new ${k}`, recent(k));
    for (let k = 0; k < 10; k++) lifecycle.run(randomUUID(), 'lifecycle.wake.sent', other.id, `old ${k}`, old(k)); // all of its trail

    const activity = sqlite.prepare('INSERT INTO activity_events (id, event_type, message, board_id, created_at) VALUES (?, ?, ?, ?, ?)');
    for (let k = 0; k < 20; k++) activity.run(randomUUID(), 'task.created', 'old', board.id, old(k));
    for (let k = 0; k < 3; k++) activity.run(randomUUID(), 'task.comment', 'an old comment', board.id, old(k));
    for (let k = 0; k < 4; k++) activity.run(randomUUID(), 'task.created', 'new', board.id, recent(k));

    const message = sqlite.prepare(
      'INSERT INTO agent_messages (id, agent_id, kind, message, status, board_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let k = 0; k < 10; k++) message.run(randomUUID(), agent.id, 'chat', 'old sent', 'sent', board.id, old(k));
    for (let k = 0; k < 2; k++) message.run(randomUUID(), agent.id, 'chat', 'old failed', 'failed', board.id, old(k));
    for (let k = 0; k < 3; k++) message.run(randomUUID(), agent.id, 'chat', 'old undelivered', 'pending', board.id, old(k));
    message.run(randomUUID(), agent.id, 'chat', 'new sent', 'sent', board.id, recent(0));

    const memory = sqlite.prepare(
      'INSERT INTO board_memory (id, board_id, content, is_chat, source, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    memory.run(randomUUID(), board.id, '/resume', 1, 'user', old(0));
    for (let k = 1; k < 11; k++) memory.run(randomUUID(), board.id, `old chat ${k}`, 1, 'user', old(k));
    memory.run(randomUUID(), board.id, '/pause', 1, 'user', old(20)); // the board's latest command: it is paused
    memory.run(randomUUID(), board.id, 'an old note', 0, 'user', old(0));
    memory.run(randomUUID(), board.id, 'new chat', 1, 'user', recent(0));

    const failure = sqlite.prepare(
      'INSERT INTO agent_auth_failures (key, token_prefix, agent_id, reason, count, first_at, last_at) VALUES (?, ?, NULL, ?, 1, ?, ?)',
    );
    failure.run('aaaaaa|-|unknown_token', 'aaaaaa', 'unknown_token', now - 8 * DAY, now - 8 * DAY);
    failure.run('bbbbbb|-|unknown_token', 'bbbbbb', 'unknown_token', now - 2 * DAY, now - 2 * DAY);

    const countOf = (sql: string, ...args: unknown[]) => (sqlite.prepare(sql).get(...args) as { n: number }).n;
    // Its creation wrote trail rows of its own (now): the latest KEEP of them all stay.
    const trailBefore = countOf('SELECT count(*) AS n FROM lifecycle_events WHERE agent_id = ?', agent.id);
    expect(trailBefore).toBeGreaterThan(KEEP_LIFECYCLE_PER_AGENT);
    const otherBefore = countOf('SELECT count(*) AS n FROM lifecycle_events WHERE agent_id = ?', other.id);
    expect(otherBefore).toBeLessThan(KEEP_LIFECYCLE_PER_AGENT);
    expect(pausedBoardIds(api.backend.services.ctx.db, [board.id]).has(board.id)).toBe(true);

    // Setting the horizon on the Settings page applies at once: retention runs.
    const res = await api.user('patch', '/api/v1/settings').send({ retention_days: 30 }).expect(200);
    expect(res.body.editable.retention_days).toEqual({ saved: 30, set_by: null, applies: 'now' });
    const run = res.body.storage.retention.last_run;
    expect(run).toMatchObject({
      at: clock.now().toISOString(),
      error: null,
      deleted: {
        lifecycle_events: trailBefore - KEEP_LIFECYCLE_PER_AGENT,
        activity_events: 20,
        agent_messages: 12,
        board_memory: 11,
        agent_auth_failures: 1,
      },
    });

    // Kept: each agent's latest lifecycle events, however old.
    expect(countOf('SELECT count(*) AS n FROM lifecycle_events WHERE agent_id = ?', agent.id)).toBe(KEEP_LIFECYCLE_PER_AGENT);
    expect(countOf("SELECT count(*) AS n FROM lifecycle_events WHERE agent_id = ? AND message LIKE 'new %'", agent.id)).toBe(5);
    expect(countOf('SELECT count(*) AS n FROM lifecycle_events WHERE agent_id = ?', other.id)).toBe(otherBefore);
    // Kept: comments and recent activity; undelivered and recent messages; notes, the deciding /pause, recent chat.
    expect(countOf("SELECT count(*) AS n FROM activity_events WHERE board_id = ? AND event_type = 'task.comment'", board.id)).toBe(3);
    expect(countOf("SELECT count(*) AS n FROM activity_events WHERE board_id = ? AND message = 'new'", board.id)).toBe(4);
    expect(countOf("SELECT count(*) AS n FROM agent_messages WHERE agent_id = ? AND status = 'pending'", agent.id)).toBe(3);
    expect(countOf("SELECT count(*) AS n FROM agent_messages WHERE agent_id = ? AND message = 'new sent'", agent.id)).toBe(1);
    const contents = (
      sqlite.prepare('SELECT content FROM board_memory WHERE board_id = ? ORDER BY created_at').all(board.id) as { content: string }[]
    ).map((r) => r.content);
    expect(contents.sort()).toEqual(['/pause', 'an old note', 'new chat']);
    expect(pausedBoardIds(api.backend.services.ctx.db, [board.id]).has(board.id)).toBe(true);
    expect(countOf("SELECT count(*) AS n FROM agent_auth_failures WHERE token_prefix = 'bbbbbb'")).toBe(1);

    // The page shows the tables' sizes and what is never deleted; the doctor shows the same.
    const tables = Object.fromEntries((res.body.storage.tables as { table: string; rows: number }[]).map((t) => [t.table, t.rows]));
    expect(tables.agent_messages).toBe(countOf('SELECT count(*) AS n FROM agent_messages'));
    expect(res.body.storage.retention.keeps.join(' ')).toContain('not delivered');
    const check = await api.user('get', '/api/v1/doctor/checks/storage.growth').expect(200);
    expect(check.body.status).toBe('ok');
    expect(check.body.evidence.retention_days).toBe(30);
    expect(check.body.evidence.last_retention_run.deleted.board_memory).toBe(11);
    expect(check.body.explanation).toContain('Retention: 30 day(s)');

    // A second run finds nothing more to delete: the protected rows stay protected.
    clock.advance(1000);
    const again = await api.user('patch', '/api/v1/settings').send({ retention_days: 30 }).expect(200);
    expect(Object.values(again.body.storage.retention.last_run.deleted as Record<string, number>).every((n) => n === 0)).toBe(true);
  });
});

describe('retention settings', () => {
  it('a horizon given at start wins and is locked on the Settings page; bad values are a 422 naming the field', async () => {
    const api = await startTestApi({ retentionDays: 90 });
    try {
      const res = await api.user('get', '/api/v1/settings').expect(200);
      expect(res.body.editable.retention_days).toEqual({ saved: null, set_by: 'the start options', applies: 'now' });
      expect(res.body.storage.retention.days).toBe(90);
      const locked = await api.user('patch', '/api/v1/settings').send({ retention_days: 10 }).expect(422);
      expect(locked.body.detail[0]).toMatchObject({ loc: ['body', 'retention_days'], type: 'set_at_start' });
      const bad = await api.user('patch', '/api/v1/settings').send({ retention_days: 0 }).expect(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'retention_days']);
    } finally {
      await api.stop();
    }
  });
});

describe('agent-auth failures stay bounded', () => {
  it('a client inventing a token per request grows one overflow count, not the table, and one log line', async () => {
    const api = await startTestApi();
    try {
      const N = MAX_AUTH_FAILURE_ROWS + 150;
      for (let i = 0; i < N; i++) {
        // A new 6-character prefix each time: the table keys failures by prefix.
        await api.agent(`${i.toString(36).padStart(6, '0')}-invented-${'z'.repeat(40)}`, 'post', '/api/v1/agent/heartbeat').expect(401);
      }
      const sqlite = api.backend.services.ctx.sqlite;
      const rows = sqlite.prepare('SELECT token_prefix AS p, count FROM agent_auth_failures').all() as { p: string; count: number }[];
      expect(rows.length).toBeLessThanOrEqual(MAX_AUTH_FAILURE_ROWS + 1);
      expect(rows.find((r) => r.p === '*')?.count).toBe(N - MAX_AUTH_FAILURE_ROWS);
      expect(rows.reduce((a, r) => a + r.count, 0)).toBe(N);
      await api.stop(false);
      const lines = readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"event":"auth.agent_failed"'));
      expect(lines).toHaveLength(1);
    } finally {
      rmSync(api.dataDir, { recursive: true, force: true });
    }
  });
});

describe("the doctor's storage.growth check", () => {
  it('warns when the log takes more than its cap or rotated files beyond the kept ones are left over', async () => {
    const api = await startTestApi({ logMaxMb: 1, logFiles: 1 });
    try {
      const logs = join(api.dataDir, 'logs');
      writeFileSync(join(logs, 'mission-control.log.1'), 'x'.repeat(1024 * 1024));
      writeFileSync(join(logs, 'mission-control.log.2'), 'x'.repeat(1024 * 1024 + 10));
      const check = await api.user('get', '/api/v1/doctor/checks/storage.growth').expect(200);
      expect(check.body.status).toBe('warn');
      expect(check.body.explanation).toContain('more than its cap');
      expect(check.body.explanation).toContain('1 rotated log file(s) beyond the 1 kept');
      expect(check.body.evidence).toMatchObject({ rotate_at_bytes: 1024 * 1024, rotated_files_kept: 1, log_cap_bytes: 2 * 1024 * 1024 });
      const settings = await api.user('get', '/api/v1/settings').expect(200);
      expect(settings.body.storage.log.files.map((f: { name: string }) => f.name)).toEqual([
        'mission-control.log',
        'mission-control.log.1',
        'mission-control.log.2',
      ]);
    } finally {
      await api.stop();
    }
  });
});
