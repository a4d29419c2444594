import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAppSettings } from '../../backend/app-settings.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';
import { until } from '../support/until.js';

/*
 * The schedules on a real backend and data dir: the Settings endpoints (422 with field paths for what
 * node-cron refuses, saved to app-settings.json, kept across a restart), and schedules that really
 * fire through node-cron (an every-second expression; the test waits on the recorded run, the backup
 * file and the log line, not on a fixed sleep). Stop ends them.
 */

const open: TestApi[] = [];
afterEach(async () => {
  for (const api of open.splice(0).reverse()) await api.stop().catch(() => undefined);
});

async function start(dataDir?: string): Promise<TestApi> {
  const api = await startTestApi({ logLevel: 'info', ...(dataDir && { dataDir }) });
  open.push(api);
  return api;
}

type Item = { name: string; enabled: boolean; cron: string; next_run_at: string | null; last_run: null | Record<string, unknown> };
const item = (body: { items: Item[] }, name: string): Item => body.items.find((i) => i.name === name)!;

function logLines(api: TestApi, event: string): Record<string, unknown>[] {
  api.backend.logger.flush();
  const file = join(api.dataDir, 'logs', 'mission-control.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('GET/PATCH /api/v1/settings/schedules', () => {
  it('lists the four schedules with their defaults: the nightly backup on, with its next run', async () => {
    const api = await start();
    const res = await api.user('get', '/api/v1/settings/schedules').expect(200);
    expect(res.body.items.map((i: Item) => i.name)).toEqual(['retention', 'backup', 'drift_check', 'token_check']);
    expect(item(res.body, 'backup')).toMatchObject({ enabled: true, cron: '30 3 * * *', last_run: null, error: null });
    expect(item(res.body, 'backup').next_run_at).toEqual(expect.any(String));
    expect(item(res.body, 'drift_check')).toMatchObject({ enabled: false, next_run_at: null });
    expect(res.body.backup).toEqual({ dir: join(api.dataDir, 'backups'), keep: 7, files: [] });
  });

  it('an expression node-cron refuses is a 422 naming the field, and nothing is saved', async () => {
    const api = await start();
    const res = await api
      .user('patch', '/api/v1/settings/schedules')
      .send({ backup: { cron: '61 3 * * *' }, drift_check: { enabled: true, cron: 'nightly' } })
      .expect(422);
    expect(res.body.detail.map((d: { loc: unknown }) => d.loc)).toEqual([
      ['body', 'backup', 'cron'],
      ['body', 'drift_check', 'cron'],
    ]);
    expect(res.body.detail[0].msg).toMatch(/minute/);
    const shape = await api
      .user('patch', '/api/v1/settings/schedules')
      .send({ backup: { enabled: 'yes' }, backup_keep: 0 })
      .expect(422);
    expect(shape.body.detail.map((d: { loc: unknown }) => d.loc)).toEqual([
      ['body', 'backup', 'enabled'],
      ['body', 'backup_keep'],
    ]);
    expect(readAppSettings(api.dataDir)?.preferences.schedules).toBeUndefined();
  });

  it('a change is saved, applies at once, survives a restart, and null restores the default', async () => {
    const first = await start();
    const res = await first
      .user('patch', '/api/v1/settings/schedules')
      .send({ token_check: { enabled: true, cron: '0 */6 * * *' }, backup_keep: 3 })
      .expect(200);
    expect(item(res.body, 'token_check')).toMatchObject({ enabled: true, cron: '0 */6 * * *', next_run_at: expect.any(String) });
    expect(res.body.backup.keep).toBe(3);
    expect(readAppSettings(first.dataDir)?.preferences.schedules).toEqual({
      token_check: { enabled: true, cron: '0 */6 * * *' },
      backup_keep: 3,
    });
    await first.stop(false);
    open.splice(open.indexOf(first), 1);
    const second = await start(first.dataDir);
    const again = await second.user('get', '/api/v1/settings/schedules').expect(200);
    expect(item(again.body, 'token_check')).toMatchObject({ enabled: true, cron: '0 */6 * * *', next_run_at: expect.any(String) });
    const reset = await second.user('patch', '/api/v1/settings/schedules').send({ token_check: null, backup_keep: null }).expect(200);
    expect(item(reset.body, 'token_check')).toMatchObject({ enabled: false, cron: '0 * * * *', next_run_at: null });
    expect(reset.body.backup.keep).toBe(7);
  });
});

describe('schedules fire through node-cron', () => {
  it('an every-second backup writes real backups (rows inside, 0600), keeps N, is recorded and logged; stop ends it', async () => {
    const api = await start();
    const gateway = await fixtures(api).gateway();
    await api
      .user('patch', '/api/v1/settings/schedules')
      .send({ backup: { cron: '* * * * * *' }, backup_keep: 2 })
      .expect(200);
    const dir = join(api.dataDir, 'backups');
    const read = async () => (await api.user('get', '/api/v1/settings/schedules').expect(200)).body;
    const body = await until('three backup runs recorded', read, () => logLines(api, 'schedule.ran').length >= 3, 20_000);
    expect(item(body, 'backup').last_run).toMatchObject({ outcome: 'ok', summary: expect.stringMatching(/^wrote .*backups/) });
    const ran = logLines(api, 'schedule.ran');
    expect(ran[0]).toMatchObject({ schedule: 'backup', outcome: 'ok', duration_ms: expect.any(Number), level: 30 });
    // Rotation: never more than two complete copies, and no partial one is left under a final name.
    const files = readdirSync(dir).filter((f) => !f.endsWith('.partial'));
    expect(files.length).toBeLessThanOrEqual(2);
    const newest = join(dir, files.sort().at(-1)!);
    expect(statSync(newest).mode & 0o777).toBe(0o600);
    const copy = new Database(newest, { readonly: true });
    try {
      expect(copy.prepare('SELECT id FROM gateways').all()).toEqual([{ id: gateway.id }]);
    } finally {
      copy.close();
    }
    await api.stop(false);
    open.splice(open.indexOf(api), 1);
    const after = readdirSync(dir).sort();
    await new Promise((r) => setTimeout(r, 2_100)); // the one place a quiet period is the assertion: nothing fires after stop
    expect(readdirSync(dir).sort()).toEqual(after);
  });

  it('an every-second token check runs the doctor’s check and records its outcome', async () => {
    const api = await start();
    await api
      .user('patch', '/api/v1/settings/schedules')
      .send({ token_check: { enabled: true, cron: '* * * * * *' } })
      .expect(200);
    const body = await until(
      'a recorded token check',
      async () => (await api.user('get', '/api/v1/settings/schedules').expect(200)).body,
      (b) => item(b, 'token_check').last_run !== null,
      20_000,
    );
    expect(item(body, 'token_check').last_run).toMatchObject({ outcome: 'ok', summary: 'No agent is using a rotated token.' });
    await until(
      'its log line',
      () => logLines(api, 'schedule.ran').some((l) => l.schedule === 'token_check' && l.check === 'agents.token_drift'),
      5_000,
    );
  });
});
