import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTar } from '../../backend/diagnostics/tar.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * The doctor's support bundle on a real backend and SQLite file: no secret it knows in any byte of it,
 * in whatever form it leaked into the log, and a consistent, redacted copy of the database. The checks
 * are in doctor.test.ts; the bundle from the real gateway in test/integration/doctor.test.ts.
 */

let api: TestApi;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  api = await startTestApi({ logLevel: 'debug', checkinDeadlineSeconds: 1, maxWakeAttempts: 50 });
  f = fixtures(api);
});
afterAll(async () => {
  await api?.stop();
});

describe('support bundle redaction', () => {
  it('a gateway token with quotes and backslashes, and a short one, are found raw and JSON-escaped in the logs: zero hits', async () => {
    const quoted = 'q"uo\\te\'d-7f3k';
    const short = 'x9Kq';
    await f.gateway({ token: quoted });
    await f.gateway({ token: short });
    // Leaks as the JSON log writes them (escaped once), and as a log line quoting JSON writes them (twice).
    api.backend.logger.flush();
    const logFile = join(api.dataDir, 'logs', 'mission-control.log');
    appendFileSync(logFile, `${JSON.stringify({ msg: 'a careless log line', header: `Bearer ${quoted}`, raw: quoted, short })}\n`);
    appendFileSync(logFile, `${JSON.stringify({ msg: JSON.stringify({ token: quoted, again: short }) })}\n`);
    const log = readFileSync(logFile, 'utf8');
    const once = JSON.stringify(quoted).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    expect(log, 'the leak is in the log as escaped JSON').toContain(once);
    expect(log).toContain(twice);
    expect(log).not.toContain(quoted); // the raw form never appears in JSON: a raw-only match would miss it

    const bundle = (await api.user('post', '/api/v1/doctor/support-bundle').expect(200)).body as { path: string };
    const tar = gunzipSync(readFileSync(bundle.path));
    const all = tar.toString('utf8');
    for (const form of [quoted, once, twice, short]) expect(all.includes(form), `${JSON.stringify(form)} is in the bundle`).toBe(false);
    expect(readTar(tar).get('logs/mission-control.log')?.toString()).toContain('a careless log line');
  });
});

describe('support bundle: the database copy', () => {
  it('a consistent SQLite copy (online backup) with tokens, hashes, keys and prefixes removed; no secret or hash in any byte of the bundle', async () => {
    const sqlite = api.backend.services.ctx.sqlite;
    const gatewayToken = `gw-${randomBytes(24).toString('hex')}`;
    const deviceToken = `dev-${randomBytes(24).toString('hex')}`;
    const gw = await f.gateway({ token: gatewayToken });
    // A device token is issued by a real gateway on pairing; the offline fixture has none, so it is written here.
    sqlite.prepare('UPDATE gateways SET device_token = ? WHERE id = ?').run(deviceToken, gw.id);
    const board = await f.board({ gateway_id: gw.id });
    const agent = await f.agent(board.id);
    const current = await f.tokenFor(agent.id); // the first token is retired: its hash stays as evidence
    await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(401);
    await api.agent(current, 'post', '/api/v1/agent/heartbeat').expect(200);
    const column = (sql: string) =>
      (sqlite.prepare(sql).raw().all() as unknown[][]).flat().filter((v): v is string => typeof v === 'string');
    const hashes = [...column('SELECT agent_token_hash FROM agents'), ...column('SELECT token_hash FROM retired_agent_tokens')];
    expect(hashes.length, 'live and retired token hashes exist').toBeGreaterThanOrEqual(2);
    expect(column('SELECT token_prefix FROM agent_auth_failures').length, 'a refused token left its prefix').toBeGreaterThan(0);
    const secrets = [
      gatewayToken,
      deviceToken,
      api.backend.localToken,
      agent.token,
      current,
      ...hashes,
      ...hashes.map((h) => h.split('$').pop()!),
    ];

    const tables = ['gateways', 'boards', 'agents', 'lifecycle_events', 'retired_agent_tokens', 'agent_auth_failures'];
    const countOf = (db: { prepare: (sql: string) => { get: () => unknown } }, table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    // The app keeps writing while the bundle is made (the ladder of this offline agent): the copy is a
    // snapshot taken between these two readings.
    const before = Object.fromEntries(tables.map((t) => [t, countOf(sqlite, t)]));
    const bundle = (await api.user('post', '/api/v1/doctor/support-bundle').expect(200)).body as { path: string; files: string[] };
    const after = Object.fromEntries(tables.map((t) => [t, countOf(sqlite, t)]));
    expect(bundle.files).toContain('database/mission-control.redacted.db');
    const tar = gunzipSync(readFileSync(bundle.path));
    for (const secret of secrets) expect(tar.includes(Buffer.from(secret)), `${secret.slice(0, 8)}… is in the bundle`).toBe(false);

    const copyPath = join(api.dataDir, 'bundle-copy-under-test.db');
    writeFileSync(copyPath, readTar(tar).get('database/mission-control.redacted.db')!);
    const copy = new Database(copyPath, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      // Consistent and complete: every row the live database had when the bundle was asked for is there.
      for (const table of tables) {
        expect(countOf(copy, table), table).toBeGreaterThanOrEqual(before[table]!);
        expect(countOf(copy, table), table).toBeLessThanOrEqual(after[table]!);
      }
      expect(copy.prepare('SELECT token, device_token FROM gateways WHERE id = ?').get(gw.id)).toEqual({ token: null, device_token: null });
      expect(copy.prepare('SELECT agent_token_hash AS h, wake_attempts AS w FROM agents WHERE id = ?').get(agent.id)).toEqual({
        h: null,
        w: 0,
      });
      const redactedKeys = (copy.prepare('SELECT token_hash FROM retired_agent_tokens').raw().all() as string[][]).flat();
      expect(redactedKeys.every((v) => v.startsWith('redacted:'))).toBe(true);
      const prefixes = (copy.prepare('SELECT token_prefix FROM agent_auth_failures').raw().all() as string[][]).flat();
      expect(prefixes.every((v) => v.startsWith('redacted:'))).toBe(true);
    } finally {
      copy.close();
      rmSync(copyPath, { force: true });
    }
    // The working copy does not stay in the data folder.
    expect(readdirSync(join(api.dataDir, 'support')).filter((n) => n.startsWith('db-copy-'))).toEqual([]);
  });
});
