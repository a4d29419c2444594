import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../backend/contract/diagnostics.js';
import { createApiClient } from '../../renderer/src/model/api/client.js';
import { actionKey, createDoctorStore, fixKey, fixRunsOf, flowActions, type DoctorStore } from '../../renderer/src/model/stores/doctor-store.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * The doctor store over the typed client against a real backend: the report, single checks run for a
 * guided flow, a fix with its verify result (debug logging left on → info), a destructive fix refused
 * without confirmation, the support bundle written to disk, and a guided flow offering each distinct fix
 * once although two checks offer it.
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

  it('a guided flow offers each distinct fix once, naming every finding it addresses; the fix re-runs them all', async () => {
    // An agent whose ladder ended offline without ever checking in: agents.offline and agents.never_checked_in
    // both find it, and both offer waking and re-provisioning that same agent.
    const local = await startTestApi({ checkinDeadlineSeconds: 0.3, maxWakeAttempts: 2 });
    try {
      const flowStore = createDoctorStore(createApiClient({ baseUrl: local.url, getToken: () => local.backend.localToken }));
      const agent = await fixtures(local).agent((await fixtures(local).board()).id);
      const deadline = Date.now() + 10_000;
      while ((await local.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.status !== 'offline' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const flow = ['agents.offline', 'agents.never_checked_in', 'logging.level'] as const;
      await flowStore.getState().runChecks(flow);
      const { checks } = flowStore.getState();
      const offeredWake = (id: (typeof flow)[number]) =>
        checks[id]!.fixes.filter((x) => x.action === 'wake_agent' && x.target_id === agent.id);
      expect(offeredWake('agents.offline')).toHaveLength(1);
      expect(offeredWake('agents.never_checked_in')).toHaveLength(1);

      const actions = flowActions(flow, checks, {});
      const keys = actions.map((a) => a.key);
      expect(new Set(keys).size, 'no action twice').toBe(keys.length);
      const wake = actions.find((a) => a.key === actionKey(offeredWake('agents.offline')[0]!))!;
      expect(wake.checkIds).toEqual(['agents.offline', 'agents.never_checked_in']);
      const reprovision = actions.filter((a) => a.fix.action === 'reprovision_agent' && a.fix.target_id === agent.id);
      expect(reprovision).toHaveLength(1);
      expect(reprovision[0]!.checkIds).toEqual(['agents.offline', 'agents.never_checked_in']);
      // logging.level is ok at warn: its reveal_logs is no finding's fix.
      expect(actions.some((a) => a.fix.action === 'reveal_logs')).toBe(false);

      // Woken through the first check; the agent checks in (with its own token, as its AGENTS.md tells it).
      const staleNever = checks['agents.never_checked_in'];
      const [first, ...also] = wake.checkIds;
      const pending = flowStore.getState().applyFix(first!, wake.fix, false, also);
      // It checks in after being woken (verified only by a check-in after the fix started).
      const checkIns = setInterval(() => void local.agent(agent.token, 'post', '/api/v1/agent/heartbeat').then(() => undefined), 300);
      const result = await pending.finally(() => clearInterval(checkIns));
      expect(result).toMatchObject({ action: 'wake_agent', verified: true });
      const after = flowStore.getState();
      expect(after.checks['agents.never_checked_in']).not.toBe(staleNever); // run again after the fix
      // (The gateway's main agent never checked in either: the check still names it, no longer this agent.)
      const never = after.checks['agents.never_checked_in']!.evidence.agents as { agent_id: string }[];
      expect(never.map((a) => a.agent_id)).not.toContain(agent.id);
      expect(after.fixes[fixKey('agents.offline', wake.fix)]?.addresses).toEqual(['agents.offline', 'agents.never_checked_in']);
      // Neither check offers it any more; the run keeps the action (once) with both findings.
      const kept = flowActions(flow, after.checks, after.fixes).filter((a) => a.key === wake.key);
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ checkIds: ['agents.offline', 'agents.never_checked_in'], run: { running: false, result } });
      expect(after.checks['agents.offline']!.fixes.some((x) => x.target_id === agent.id)).toBe(false);
    } finally {
      await local.stop();
    }
  });
});
