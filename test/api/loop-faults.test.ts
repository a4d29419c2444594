import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import { fixtures, useTestApi } from '../support/api.js';
import { until } from '../support/doctor.js';

/*
 * Faults in the background loops do not take the process down (docs/security.md, "Faults that must not
 * take the process down"). The faults are real SQLite ones on the app's own connection and file:
 *   - disk full: the database may not grow (`PRAGMA max_page_count` = its size) and the presence flush's
 *     write needs room (a temp trigger adds 1 MiB to a filler table in the same statement), so SQLite
 *     answers SQLITE_FULL — "database or disk is full" — exactly as on a full disk;
 *   - a row the agent feed cannot read (invalid JSON where the app stores JSON, as a hand edit or a
 *     restore from another version leaves it): its poll throws from its timer.
 * Each time: the loop logs, backs off and keeps running, the doctor names the fault, /healthz answers,
 * and once the fault is gone the loop recovers on its own.
 */

const api = useTestApi({ logLevel: 'info' });
const f = fixtures(api);

const check = async (id: string) => (await api.user('get', `/api/v1/doctor/checks/${id}`).expect(200)).body as DoctorCheckResult;
const logLines = () =>
  readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; loop?: string; code?: string; disk_full?: boolean });
const loopNamed = (c: DoctorCheckResult, name: string) =>
  (c.evidence.loops as { name: string; failing: boolean; last_error_code: string | null }[]).find((l) => l.name === name);

describe('faults in background loops', () => {
  it('disk full (a genuine SQLITE_FULL) on the presence flush: logged, backed off, its own doctor finding, and it recovers', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200); // a state change: written through
    const sqlite = api.backend.services.ctx.sqlite;
    sqlite.exec('CREATE TABLE IF NOT EXISTS fault_filler (b BLOB)');
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages}`);
    sqlite.exec(
      'CREATE TEMP TRIGGER fault_disk_full AFTER UPDATE OF last_seen_at ON main.agents BEGIN INSERT INTO fault_filler VALUES (zeroblob(1048576)); END',
    );
    let removed = false;
    try {
      await new Promise((r) => setTimeout(r, 5)); // a later clock than the first check-in
      const seen = (await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200)).body.last_seen_at as string;

      const full = await until(
        'the disk-full finding',
        () => check('disk.full'),
        (c) => c.status === 'fail',
        20_000,
      );
      expect(full.explanation).toMatch(/disk is full/);
      expect(full.explanation).toMatch(/Free space on the disk that holds the data folder/);
      expect(full.evidence.loops).toEqual([expect.objectContaining({ name: 'presence flush', last_error_code: 'SQLITE_FULL' })]);
      const loops = await check('runtime.loops');
      expect(loops.status).toBe('fail');
      expect(loopNamed(loops, 'presence flush')).toMatchObject({ failing: true, last_error_code: 'SQLITE_FULL' });
      await api.raw().get('/healthz').expect(200); // still serving
      expect(logLines().find((l) => l.event === 'loop.failed' && l.loop === 'presence flush')).toMatchObject({
        code: 'SQLITE_FULL',
        disk_full: true,
      });

      // Room again: the flush retries on its own (after its backoff) and the check-in time is written.
      sqlite.exec('DROP TRIGGER fault_disk_full');
      sqlite.pragma('max_page_count = 4294967294');
      removed = true;
      await until(
        'the disk-full finding gone',
        () => check('disk.full'),
        (c) => c.status === 'ok',
        30_000,
      );
      expect(loopNamed(await check('runtime.loops'), 'presence flush')).toMatchObject({ failing: false });
      const row = sqlite.prepare('SELECT last_seen_at AS at FROM agents WHERE id = ?').get(agent.id) as { at: number };
      expect(new Date(row.at).toISOString()).toBe(seen);
      expect(logLines().some((l) => l.event === 'loop.recovered' && l.loop === 'presence flush')).toBe(true);
    } finally {
      if (!removed) {
        sqlite.exec('DROP TRIGGER IF EXISTS fault_disk_full');
        sqlite.pragma('max_page_count = 4294967294');
      }
    }
  }, 60_000);

  it('a row the agent feed cannot read: the feed’s timer does not end the process, the doctor lists it, and it recovers', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const heard: string[] = [];
    const unsubscribe = api.backend.services.agentFeed.subscribe((a) => heard.push(a.id));
    const sqlite = api.backend.services.ctx.sqlite;
    const good = (sqlite.prepare('SELECT heartbeat_config AS c FROM agents WHERE id = ?').get(agent.id) as { c: string }).c;
    try {
      sqlite.prepare("UPDATE agents SET heartbeat_config = '{not json', updated_at = ? WHERE id = ?").run(Date.now() + 1_000, agent.id);
      const loops = await until(
        'the agent feed failing',
        () => check('runtime.loops'),
        (c) => loopNamed(c, 'agent feed')?.failing === true,
        10_000,
      );
      expect(loops.status).toBe('fail');
      expect(loops.explanation).toMatch(/agent feed/);
      await api.raw().get('/healthz').expect(200);

      // Repaired, and renamed (a change the feed publishes).
      sqlite
        .prepare('UPDATE agents SET heartbeat_config = ?, name = ?, updated_at = ? WHERE id = ?')
        .run(good, `${agent.name} renamed`, Date.now() + 2_000, agent.id);
      await until(
        'the agent feed recovered',
        () => check('runtime.loops'),
        (c) => loopNamed(c, 'agent feed')?.failing === false,
        20_000,
      );
      await until(
        'the rename published',
        async () => heard,
        (h) => h.includes(agent.id),
        5_000,
      ); // it serves its listeners again
      expect(logLines().some((l) => l.event === 'loop.recovered' && l.loop === 'agent feed')).toBe(true);
    } finally {
      unsubscribe();
    }
  }, 40_000);
});
