import { existsSync, statfsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, type DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import { doctorCheck } from '../support/doctor.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * The doctor's checks that need no gateway, each failure produced for real on a real backend and
 * SQLite file, detected with its explanation, fixed through the API, and verified by the check
 * itself. Gateway-side failures are in test/integration/doctor.test.ts (real gateway); the CLI and
 * the start-time port check in test/api/doctor-cli.test.ts; the support bundle in doctor-bundle.test.ts.
 */

let api: TestApi;
let f: ReturnType<typeof fixtures>;

type Check = DoctorCheckResult;
const check = (id: string) => doctorCheck(api, id);
const fix = (id: string, body: Record<string, unknown>) => api.user('post', '/api/v1/doctor/fix').send({ check_id: id, ...body });

beforeAll(async () => {
  api = await startTestApi({ logLevel: 'debug', checkinDeadlineSeconds: 1, maxWakeAttempts: 50 });
  f = fixtures(api);
});
afterEach(() => {
  api.backend.diagnostics.setThresholds({
    minFreeDiskBytes: 256 * 1024 * 1024,
    maxRssBytes: 1536 * 1024 * 1024,
    maxWalBytes: 64 * 1024 * 1024,
    maxTickAgeMs: 15_000,
    overdueGraceMs: 15_000,
  });
});
afterAll(async () => {
  await api?.stop();
});

describe('doctor report', () => {
  it('runs every check and reports each as data: status, evidence, explanation, fixes, verify', async () => {
    const res = await api.user('get', '/api/v1/doctor').expect(200);
    expect(res.body.app_running).toBe(true);
    expect(res.body.checks.map((c: Check) => c.id)).toEqual([...CHECK_IDS]);
    for (const c of res.body.checks as (Check & { verify: string; title: string })[]) {
      expect(c.title).toBeTruthy();
      expect(c.verify).toBeTruthy();
      expect(c.explanation).toBeTruthy();
      if (c.status === 'skipped') expect(c.reason).toBeTruthy();
    }
    const s = res.body.summary;
    expect(s.ok + s.warn + s.fail + s.skipped).toBe(CHECK_IDS.length);
  });

  it('template drift with no gateway reachable says it could not compare (skipped, naming the gateway), not “in sync”', async () => {
    const gateway = await f.gateway();
    const c = await check('gateway.template_drift');
    expect(c.status).toBe('skipped');
    expect(c.reason).toContain(`${(gateway as { name?: string }).name} (unreachable)`);
    // The sync itself reports the gateway's failure as such (502), after the request was checked.
    const res = await fix('gateway.template_drift', { action: 'sync_templates', target_id: gateway.id });
    expect(res.status).toBe(502);
    expect(res.body.detail.code).toBe('unreachable');
  });
});

describe('fix requests are checked before anything runs', () => {
  it('a destructive fix without confirm, a fix of another check, a missing target → 422 naming the field', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const noConfirm = await fix('agents.stuck', { action: 'reprovision_agent', target_id: agent.id }).expect(422);
    expect(noConfirm.body.detail.loc).toEqual(['body', 'confirm']);
    const wrong = await fix('logging.level', { action: 'wake_agent', target_id: agent.id }).expect(422);
    expect(wrong.body.detail.loc).toEqual(['body', 'action']);
    const noTarget = await fix('agents.offline', { action: 'wake_agent' }).expect(422);
    expect(noTarget.body.detail.loc).toEqual(['body', 'target_id']);
    await fix('agents.offline', { action: 'wake_agent', target_id: '00000000-0000-4000-8000-000000000009' }).expect(404);
    // A board-scoped sync only for a board of that gateway, and board_id only on the sync fixes.
    const other = await f.gateway();
    const foreign = await fix('gateway.template_drift', {
      action: 'rotate_tokens_and_sync',
      target_id: other.id,
      board_id: board.id,
      confirm: true,
    }).expect(422);
    expect(foreign.body.detail.loc).toEqual(['body', 'board_id']);
    const notScoped = await fix('agents.offline', { action: 'wake_agent', target_id: agent.id, board_id: board.id }).expect(422);
    expect(notScoped.body.detail.loc).toEqual(['body', 'board_id']);
    const rotateNoConfirm = await fix('agents.token_drift', { action: 'rotate_tokens_and_sync', target_id: other.id }).expect(422);
    expect(rotateNoConfirm.body.detail.loc).toEqual(['body', 'confirm']);
    // set_log_level says which level: no silent default to info.
    const noLevel = await fix('logging.level', { action: 'set_log_level' }).expect(422);
    expect(noLevel.body.detail.loc).toEqual(['body', 'level']);
    const before = api.backend.logger.level;
    const badLevel = await fix('logging.level', { action: 'set_log_level', level: 'loud' }).expect(422);
    expect(badLevel.body.detail[0].loc).toEqual(['body', 'level']);
    expect(api.backend.logger.level).toBe(before);
    const unknownCheck = await api.user('post', '/api/v1/doctor/fix').send({ check_id: 'no.such', action: 'reveal_logs' }).expect(422);
    expect(unknownCheck.body.detail[0].loc).toEqual(['body', 'check_id']);
    await api.user('get', '/api/v1/doctor/checks/no.such').expect(404);
  });
});

describe('each check: failure produced → detected → fixed → verified', () => {
  it('logging.level: debug left on → set to info at runtime → verified', async () => {
    const before = await check('logging.level');
    expect(before.status).toBe('warn');
    expect(before.explanation).toMatch(/Debug logging is on/);
    const offered = before.fixes.find((x) => x.action === 'set_log_level');
    expect(offered?.level, 'the offered fix says which level it sets').toBe('info');
    const res = await fix('logging.level', { action: 'set_log_level', level: offered!.level }).expect(200);
    expect(res.body).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(api.backend.logger.level).toBe('info');
  });

  it('reveal_logs answers the log file’s path (Electron main opens it)', async () => {
    const res = await fix('logging.level', { action: 'reveal_logs' }).expect(200);
    expect(res.body.path).toMatch(/logs\/mission-control\.log$/);
    expect(existsSync(res.body.path)).toBe(true);
  });

  it('agents.stuck: an agent left in provisioning with no deadline (must not happen; injected in the row) → re-provision → verified', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    // The ladder never leaves this state by itself, so the only way to produce it is to write it.
    api.backend.services.ctx.sqlite
      .prepare(
        "UPDATE agents SET status = 'provisioning', checkin_deadline_at = NULL, provision_action = NULL, updated_at = ? WHERE id = ?",
      )
      .run(Date.now() - 3_600_000, agent.id);
    const before = await check('agents.stuck');
    expect(before.status).toBe('fail');
    expect(before.explanation).toMatch(/stuck beyond the ladder’s bound.*must not happen/s);
    expect(before.fixes).toContainEqual(expect.objectContaining({ action: 'reprovision_agent', target_id: agent.id, destructive: true }));
    const res = await fix('agents.stuck', { action: 'reprovision_agent', target_id: agent.id, confirm: true }).expect(200);
    // The gateway of these API tests is offline: the re-provisioning fails, counts as a wake and the ladder owns the agent again.
    expect(res.body.message).toMatch(/Re-provisioning reported/);
    expect(res.body).toMatchObject({ verified: true, verify: { status: 'ok' } });
  });

  it('a fix aimed at one agent is verified by that agent’s finding going away, while the check still reports another agent', async () => {
    const board = await f.board();
    const [one, two] = [await f.agent(board.id), await f.agent(board.id)];
    const strand = api.backend.services.ctx.sqlite.prepare(
      "UPDATE agents SET status = 'provisioning', checkin_deadline_at = NULL, provision_action = NULL, updated_at = ? WHERE id = ?",
    );
    for (const a of [one, two]) strand.run(Date.now() - 3_600_000, a.id);
    const res = await fix('agents.stuck', { action: 'reprovision_agent', target_id: one.id, confirm: true }).expect(200);
    expect(res.body.verified).toBe(true);
    expect(res.body.verify.status).toBe('fail');
    expect(res.body.message).toContain('Its finding is gone; the check still reports others.');
    const offered = (res.body.verify as Check).fixes.map((x) => x.target_id);
    expect(offered).toContain(two.id);
    expect(offered).not.toContain(one.id);
    // The other one, fixed too: the check passes again (no stuck agent left for the tests after this one).
    const last = await fix('agents.stuck', { action: 'reprovision_agent', target_id: two.id, confirm: true }).expect(200);
    expect(last.body).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(last.body.message).not.toContain('still reports others');
  });

  it('waking an agent that never checked in is verified only by its check-in, not by the wake taking it off the list', async () => {
    // Ladders that end fast, so both agents are past them with no check-in (nothing answers on this gateway).
    const local = await startTestApi({ checkinDeadlineSeconds: 0.3, maxWakeAttempts: 1 });
    try {
      const lf = fixtures(local);
      const board = await lf.board();
      const [quiet, other] = [await lf.agent(board.id), await lf.agent(board.id)];
      const never = async () => ((await doctorCheck(local, 'agents.never_checked_in')).evidence.agents as { agent_id: string }[]) ?? [];
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await never()).filter((a) => [quiet.id, other.id].includes(a.agent_id)).length < 2) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await never()).map((a) => a.agent_id)).toEqual(expect.arrayContaining([quiet.id, other.id]));
      const wake = (verify_wait_seconds: number) =>
        local
          .user('post', '/api/v1/doctor/fix')
          .send({ check_id: 'agents.never_checked_in', action: 'wake_agent', target_id: quiet.id, verify_wait_seconds })
          .expect(200);

      // The wake gives it a deadline, which alone takes it off the check's list: still not verified.
      const silent = await wake(1);
      expect(silent.body.verified).toBe(false);
      expect(silent.body.message).toMatch(/Not verified yet: .* has not checked in since/);

      // It checks in after this wake (as a woken agent does): verified, while the check still names the other agent.
      const woken = wake(10);
      const checkIns = setInterval(() => void local.agent(quiet.token, 'post', '/api/v1/agent/heartbeat').then(() => undefined), 300);
      try {
        const res = await woken;
        expect(res.body.verified).toBe(true);
        expect(res.body.message).toContain('Its finding is gone; the check still reports others.');
      } finally {
        clearInterval(checkIns);
      }
    } finally {
      await local.stop();
    }
  });

  it('a check that crashes verifies nothing, and a board-scoped request is not verified while a whole-gateway fix is still offered', async () => {
    const { resolved } = await import('../../backend/diagnostics/fixes.js');
    const base = { id: 'x', title: 't', severity: 'warning', reason: null, verify: 'v', needs_app: true } as const;
    const crashed = { ...base, status: 'fail', evidence: {}, explanation: 'The check itself failed: boom', fixes: [] } as unknown as Check;
    expect(resolved(crashed, { id: 'a', gatewayId: 'g', boardId: undefined })).toBe(false);
    const wholeGateway = {
      ...base,
      status: 'fail',
      evidence: {},
      explanation: 'drift',
      fixes: [
        { action: 'sync_templates', label: 'Sync', destructive: false, target_id: 'g', board_id: null, level: null, fingerprint: null },
      ],
    } as unknown as Check;
    expect(resolved(wholeGateway, { id: 'g', gatewayId: 'g', boardId: 'b1' })).toBe(false);
    const gatewayNotLookedAt = {
      ...base,
      status: 'ok',
      evidence: { unchecked_gateway_ids: ['g'] },
      explanation: 'ok',
      fixes: [],
    } as unknown as Check;
    expect(resolved(gatewayNotLookedAt, { id: 'agent-1', gatewayId: 'g', boardId: undefined })).toBe(false);
    expect(resolved(gatewayNotLookedAt, { id: 'agent-2', gatewayId: 'other', boardId: undefined })).toBe(true);
  });

  it('scheduler.alive: scheduler stopped with a deadline overdue → restart → verified', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    await api.backend.services.wakeLadder.stop();
    await api.user('post', `/api/v1/agents/${agent.id}/wake`).expect(200); // deadline in 1 s, nobody to act on it
    api.backend.diagnostics.setThresholds({ maxTickAgeMs: 500, overdueGraceMs: 300 });
    await new Promise((r) => setTimeout(r, 1_600));
    const before = await check('scheduler.alive');
    expect(before.status).toBe('fail');
    expect(before.explanation).toMatch(/last tick was \d+ s ago|has not ticked/);
    expect(before.evidence.overdue_deadlines).toContainEqual(expect.objectContaining({ agent_id: agent.id }));
    const res = await fix('scheduler.alive', { action: 'restart_scheduler', verify_wait_seconds: 5 }).expect(200);
    expect(res.body).toMatchObject({ verified: true, verify: { status: 'ok' } });
  });

  it('db.wal: write-ahead log above the limit → checkpoint → verified', async () => {
    await f.board(); // some writes, so the WAL has frames
    api.backend.diagnostics.setThresholds({ maxWalBytes: 1 });
    const before = await check('db.wal');
    expect(before.status).toBe('warn');
    expect(before.evidence.wal_bytes as number).toBeGreaterThan(1);
    const res = await fix('db.wal', { action: 'checkpoint_wal' }).expect(200);
    expect(res.body).toMatchObject({ verified: true, verify: { status: 'ok', evidence: { wal_bytes: 0 } } });
  });

  it('db.integrity and db.migrations pass on the live database', async () => {
    expect(await check('db.integrity')).toMatchObject({ status: 'ok', evidence: { quick_check: ['ok'] } });
    expect((await check('db.migrations')).status).toBe('ok');
  });

  it('disk.free and process.memory: the floor/limit moved past the real measurement (the shared disk cannot be filled here)', async () => {
    const s = statfsSync(api.dataDir);
    const free = Number(s.bavail) * Number(s.bsize);
    api.backend.diagnostics.setThresholds({ minFreeDiskBytes: free + 1024 ** 3 });
    const disk = await check('disk.free');
    expect(disk.status).toBe('fail');
    expect(disk.explanation).toMatch(/free where the data folder is/);
    api.backend.diagnostics.setThresholds({ maxRssBytes: 1024 });
    const mem = await check('process.memory');
    expect(mem.status).toBe('warn');
    expect(mem.evidence.rss_bytes as number).toBeGreaterThan(1024);
  });

  it('agents.never_checked_in / agents.offline on an unreachable gateway name the recorded reason and the trail', async () => {
    const local = await startTestApi({ checkinDeadlineSeconds: 0.3, maxWakeAttempts: 2 });
    try {
      const lf = fixtures(local);
      const agent = await lf.agent((await lf.board()).id);
      const deadline = Date.now() + 10_000;
      while ((await local.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.status !== 'offline' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const offline = (await local.user('get', '/api/v1/doctor/checks/agents.offline').expect(200)).body as Check;
      expect(offline.status).toBe('fail');
      expect(offline.explanation).toMatch(/max wake attempts reached.*Nothing answered at the gateway URL/s);
      const entry = (offline.evidence.offline as { agent_id: string; trail: { event: string }[]; gateway: Record<string, unknown> }[]).find(
        (o) => o.agent_id === agent.id,
      );
      expect(entry?.trail.map((t) => t.event)).toContain('lifecycle.reconcile.max_attempts_reached');
      // No gateway to ask: said so, not guessed (the connected case is in test/integration/doctor.test.ts).
      expect(entry?.gateway).toMatchObject({
        last_run_failure: null,
        live: { unavailable: expect.stringMatching(/^gateway not connected/) },
      });
      const never = (await local.user('get', '/api/v1/doctor/checks/agents.never_checked_in').expect(200)).body as Check;
      expect(never.status).toBe('fail');
      // The real gateway-side fix and verify (wake → check-in) are in test/integration/doctor.test.ts.
    } finally {
      await local.stop();
    }
  });
});

describe('api.base_url', () => {
  it('a base URL nobody answers at → fail; restarted with a reachable one → verified', async () => {
    const first = await startTestApi({ baseUrl: 'http://127.0.0.1:9' });
    const dataDir = first.dataDir;
    try {
      const c = (await first.user('get', '/api/v1/doctor/checks/api.base_url').expect(200)).body as Check;
      expect(c.status).toBe('fail');
      expect(c.explanation).toMatch(/Agents are told to call http:\/\/127\.0\.0\.1:9, but .* does not answer.*--base-url/s);
    } finally {
      await first.stop(false);
    }
    const second = await startTestApi({ dataDir });
    try {
      expect(((await second.user('get', '/api/v1/doctor/checks/api.base_url').expect(200)).body as Check).status).toBe('ok');
    } finally {
      await second.stop();
    }
  });

  it('a loopback base URL with a gateway on another host → fail; restarted with --host/--base-url on this machine’s LAN address → verified', async (ctx) => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!lan) {
      const reason = 'api.base_url LAN fix not run: this machine has no non-loopback IPv4 address to restart on';
      console.warn(`[doctor] skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const first = await startTestApi();
    const dataDir = first.dataDir;
    try {
      await fixtures(first).gateway({ name: 'Remote host', url: 'ws://gateway.invalid:18789', allow_cleartext: true });
      const c = (await first.user('get', '/api/v1/doctor/checks/api.base_url').expect(200)).body as Check;
      expect(c.status).toBe('fail');
      expect(c.explanation).toMatch(
        /loopback address, but gateway “Remote host” .*Start with --base-url http:\/\/<this machine's LAN address>/s,
      );
    } finally {
      await first.stop(false);
    }
    // The fix the check names: listen on the LAN address and tell agents that address.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, lan, () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const second = await startTestApi({ dataDir, host: lan, port, baseUrl: `http://${lan}:${port}` });
    try {
      const c = (await second.user('get', '/api/v1/doctor/checks/api.base_url').expect(200)).body as Check;
      expect(c).toMatchObject({ status: 'ok', evidence: { base_url: `http://${lan}:${port}`, healthz: 'HTTP 200' } });
    } finally {
      await second.stop();
    }
  });

  it('a loopback base URL with a gateway on another host → fail naming the gateway', async () => {
    await f.gateway({ name: 'Remote box', url: 'ws://gateway.invalid:18789', allow_cleartext: true });
    const c = await check('api.base_url');
    expect(c.status).toBe('fail');
    expect(c.explanation).toMatch(/loopback address, but gateway “Remote box” \(gateway\.invalid:18789\) runs on another host/);
  });
});
