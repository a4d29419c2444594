import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../backend/contract/diagnostics.js';
import { createApiClient } from '../../renderer/src/api/client.js';
import { createDoctorStore, fixKey, fixRunsOf, type DoctorStore } from '../../renderer/src/stores/doctor-store.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * The doctor store over the typed client against a real backend: the report, single checks run for a
 * guided flow, a fix with its verify result (debug logging left on → info), a destructive fix refused
 * without confirmation, and the support bundle written to disk.
 */

let api: TestApi;
let store: DoctorStore;

beforeAll(async () => {
  api = await startTestApi({ logLevel: 'debug' });
  store = createDoctorStore(createApiClient({ baseUrl: api.url, getToken: () => api.backend.localToken }));
});
afterAll(async () => {
  await api?.stop();
});

describe('doctor store', () => {
  it('loads the report: every check once, the summary adds up, each check kept by id', async () => {
    await store.getState().load();
    const { report, loading, error, checks } = store.getState();
    expect(loading).toBe(false);
    expect(error).toBeNull();
    expect(report?.checks.map((c) => c.id).sort()).toEqual([...CHECK_IDS].sort());
    const count = (st: string) => report!.checks.filter((c) => c.status === st).length;
    expect(report?.summary).toEqual({ ok: count('ok'), warn: count('warn'), fail: count('fail'), skipped: count('skipped') });
    expect(Object.keys(checks).sort()).toEqual([...CHECK_IDS].sort());
  });

  it('runs a flow’s checks on their own; a fix runs, is verified, and replaces the stale result in the report', async () => {
    await store.getState().runChecks(['logging.level', 'db.integrity']);
    const before = store.getState().checks['logging.level']!;
    expect(store.getState().checking['logging.level']).toBe(false);
    expect(before.status).toBe('warn');
    const setInfo = before.fixes.find((x) => x.action === 'set_log_level')!;
    expect(setInfo).toBeDefined();

    const pending = store.getState().applyFix('logging.level', setInfo);
    expect(store.getState().fixes[fixKey('logging.level', setInfo)]?.running).toBe(true);
    const result = await pending;
    expect(result).toMatchObject({ action: 'set_log_level', verified: true, verify: { id: 'logging.level', status: 'ok' } });
    expect(api.backend.services.ctx.logger.level).toBe('info');
    const s = store.getState();
    expect(s.checks['logging.level']?.status).toBe('ok');
    expect(s.report?.checks.find((c) => c.id === 'logging.level')?.status).toBe('ok');
    // The run stays visible for the check although it now offers no set_log_level any more.
    expect(fixRunsOf(s.fixes, 'logging.level')).toEqual([
      [fixKey('logging.level', setInfo), expect.objectContaining({ running: false, error: null, result })],
    ]);
  });

  it('a destructive fix without confirmation is refused, in words that say what is missing', async () => {
    const f = fixtures(api);
    const board = await f.board();
    const agent = await f.agent(board.id);
    const reprovision = {
      action: 'reprovision_agent' as const,
      label: `Re-provision ${agent.name}`,
      destructive: true,
      target_id: agent.id,
      board_id: null,
      level: null,
      fingerprint: null,
    };
    expect(await store.getState().applyFix('agents.never_checked_in', reprovision)).toBeNull();
    const run = store.getState().fixes[fixKey('agents.never_checked_in', reprovision)];
    expect(run).toMatchObject({
      running: false,
      result: null,
      error: { status: 422, title: `Re-provision ${agent.name} was not accepted` },
    });
    expect(run?.error?.message).toMatch(/confirm/);
  });

  it('creates the support bundle: a file on disk, its path and contents listed', async () => {
    const bundle = await store.getState().createBundle();
    expect(store.getState()).toMatchObject({ bundleBusy: false, bundleError: null, bundle });
    expect(bundle?.path.startsWith(api.dataDir)).toBe(true);
    expect(existsSync(bundle!.path)).toBe(true);
    expect(bundle?.files.length).toBeGreaterThan(0);
  });
});
