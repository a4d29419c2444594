import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readTar } from '../../backend/diagnostics/tar.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { patchGatewayConfig } from '../support/openclaw/config-patch.js';
import { doctorCheck, doctorFix, until } from '../support/doctor.js';
import { CHECK_IDS, type DoctorCheckResult } from '../../backend/contract/diagnostics.js';
import { checkIn, modelControl, modelError } from '../support/openclaw/model-control.js';
import { gatewayControl } from '../support/openclaw/gateway-control.js';

/*
 * The doctor against the real gateway: each failure produced for real, detected with the right
 * explanation, fixed through POST /api/v1/doctor/fix and verified by the check itself. Here: the agent
 * checks, the support bundle and a stopped gateway, on one shared Mission Control. A token the gateway
 * no longer accepts, the minimum version, pairing and scopes (Mission Control behind a reverse proxy)
 * are in doctor-gateway.test.ts; protocol mismatch and a needed method not advertised (which 2026.9.6
 * cannot produce) in doctor-old-gateway.test.ts; TLS (a second real gateway serving wss) in
 * doctor-tls.test.ts.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const model = modelControl(inject('modelUrl'));
const WORKERS = /^mc-(?!gateway-)/;
const MAIN = /^mc-gateway-/;
const suffix = randomBytes(3).toString('hex');
const DEADLINE_S = 4;

let api: TestApi;
let gatewayId: string;
let boardId: string;
const created: string[] = [];
const mintedTokens: string[] = [];

type Check = DoctorCheckResult;
const check = doctorCheck;
const fix = doctorFix;

const patchConfig = (raw: string) => patchGatewayConfig(gatewayUrl, gatewayToken, raw);

async function createWorker(name: string, behaviour: Parameters<typeof model.setScript>[1] & object): Promise<string> {
  await model.setPatternScript(WORKERS, behaviour);
  const res = await api
    .user('post', '/api/v1/agents')
    .send({ name: `${name} ${suffix}`, board_id: boardId })
    .expect(200);
  created.push(res.body.id);
  await model.setScript(`mc-${res.body.id}`, behaviour);
  await model.setPatternScript(WORKERS, null);
  return res.body.id as string;
}

/** Waits until the ladder ends the agent offline, then runs agents.offline (which must fail). */
async function offlineCheckOnceOffline(id: string): Promise<Check> {
  await until(
    'offline',
    async () => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body.status,
    (s) => s === 'offline',
    (DEADLINE_S * 2 + 30) * 1000,
  );
  const offline = await check(api, 'agents.offline');
  expect(offline.status).toBe('fail');
  return offline;
}

beforeAll(async () => {
  // Main agents check in, so the global agent checks see only what a test does on purpose.
  await model.setPatternScript(MAIN, checkIn.obedient());
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 2 });
  gatewayId = (
    await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Doctor ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200)
  ).body.id;
  boardId = (
    await api
      .user('post', '/api/v1/boards')
      .send({ name: `Doctor ${suffix}`, description: 'doctor', gateway_id: gatewayId, create_lead: false })
      .expect(200)
  ).body.id;
});
afterAll(async () => {
  await patchConfig('{ tools: { exec: null } }').catch(() => undefined);
  for (const id of created) {
    await model.setScript(`mc-${id}`, null);
    await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
  }
  await model.setPatternScript(MAIN, null);
  await api?.stop();
});

describe('doctor against the real gateway', () => {
  it('healthy: the gateway check shows version, protocol 4, operator scopes', async () => {
    const c = await check(api, 'gateway.connection');
    expect(c.status).toBe('ok');
    expect(c.evidence.gateways).toContainEqual(
      expect.objectContaining({
        id: gatewayId,
        ok: true,
        protocol: 4,
        scopes: expect.arrayContaining(['operator.read', 'operator.write', 'operator.admin']),
      }),
    );
  });

  it('token drift: an agent calling with its rotated token (401s) → re-provision → it checks in → verified', async () => {
    const id = await createWorker('Drift', checkIn.obedient());
    await until(
      'first check-in',
      async () => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body.last_seen_at,
      Boolean,
      40_000,
    );
    // Rotate: the workspace still holds the old token, which is now retired.
    mintedTokens.push((await api.user('post', `/api/v1/agents/${id}/token`).expect(200)).body.token);
    await api.user('post', `/api/v1/agents/${id}/wake`).expect(200);
    const drift = await until(
      'drift detected',
      () => check(api, 'agents.token_drift'),
      (c) => c.status === 'fail',
      40_000,
    );
    expect(drift.explanation).toMatch(/token that was rotated away \(401\): token drift/);
    expect(drift.evidence.drifted).toContainEqual(expect.objectContaining({ agent_id: id, refused_checkins: expect.any(Number) }));
    expect(drift.fixes).toContainEqual(expect.objectContaining({ action: 'reprovision_agent', target_id: id, destructive: true }));

    const result = await fix(api, 'agents.token_drift', {
      action: 'reprovision_agent',
      target_id: id,
      confirm: true,
      verify_wait_seconds: 60,
    });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
  }, 180_000);

  it('agents offline after max wakes / never checked in: reason + trail; wake once it behaves → verified', async () => {
    const id = await createWorker('Silent', checkIn.silent());
    const offline = await offlineCheckOnceOffline(id);
    expect(offline.explanation).toMatch(/max wake attempts reached.*never called the heartbeat API/s);
    const entry = (offline.evidence.offline as { agent_id: string; trail: { event: string }[]; wake_attempts: number }[]).find(
      (o) => o.agent_id === id,
    );
    expect(entry?.wake_attempts).toBe(2);
    expect(entry?.trail.map((t) => t.event)).toContain('lifecycle.reconcile.max_attempts_reached');
    const never = await check(api, 'agents.never_checked_in');
    expect(never.status).toBe('fail');
    expect(never.explanation).toMatch(/never called the heartbeat API since being created/);

    await model.setScript(`mc-${id}`, checkIn.obedient()); // what the operator fixed on the agent's side
    const woke = await fix(api, 'agents.offline', { action: 'wake_agent', target_id: id, verify_wait_seconds: 40 });
    expect(woke).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect((await check(api, 'agents.never_checked_in')).status).toBe('ok');
  }, 180_000);

  it('agents offline with the gateway’s own evidence: runs refused by the model → the recorded failed run and the live session (sessions.list) in the check → model fixed → wake → verified', async () => {
    // A 400 (a request the provider refuses) rather than a 401: an auth failure puts the agent's model
    // profile into a cooldown of up to minutes, and the wake after the fix would meet it.
    const id = await createWorker('Refused', modelError(400, { message: 'Invalid request: unsupported parameter' }));
    const offline = await offlineCheckOnceOffline(id);
    const entry = (offline.evidence.offline as { agent_id: string; gateway: Record<string, unknown> }[]).find((o) => o.agent_id === id)!;
    // The gateway's account, recorded from its sessions.changed events while the ladder ran …
    // (2026.9.6 words a 400 as "LLM request failed: provider rejected the request schema or tool payload.")
    const refusal = /provider rejected the request|400|unsupported parameter/i;
    expect(entry.gateway.last_run_failure).toMatchObject({ run_id: expect.any(String), error: expect.stringMatching(refusal) });
    // … and the agent's session as the gateway lists it now.
    expect((entry.gateway.live as { sessions: Record<string, unknown>[] }).sessions).toContainEqual(
      expect.objectContaining({ key: `agent:mc-${id}:main`, lastRunError: expect.stringMatching(refusal) }),
    );
    expect(offline.explanation).toMatch(
      new RegExp(`Refused ${suffix}: [^.]*max wake attempts reached\\. Last attempt: gateway: agent run failed`),
    );

    await model.setScript(`mc-${id}`, checkIn.obedient()); // the operator fixed the model side
    const woke = await fix(api, 'agents.offline', { action: 'wake_agent', target_id: id, verify_wait_seconds: 40 });
    expect(woke).toMatchObject({ verified: true, verify: { status: 'ok' } });
  }, 180_000);

  it('exec policy in ask mode refuses the headless check-in → allow curl for each agent → verified', async () => {
    await patchConfig('{"tools":{"exec":{"mode":"ask"}}}');
    try {
      const before = await until(
        'ask mode seen',
        () => check(api, 'gateway.exec_policy'),
        (c) => c.status === 'fail',
        20_000,
      );
      expect(before.explanation).toMatch(/asks a person before exec .*headless/);
      expect(before.fixes.length).toBeGreaterThan(0);
      let last: { verified: boolean; verify: Check } | undefined;
      for (const f of before.fixes) last = await fix(api, 'gateway.exec_policy', { action: f.action, target_id: f.target_id! });
      expect(last).toMatchObject({ verified: true, verify: { status: 'ok' } });
    } finally {
      await patchConfig('{ tools: { exec: null } }');
    }
  }, 90_000);

  it('support bundle: logs, redacted config, DB summary, versions, report — and no secret it knows, even one leaked into the log', async () => {
    const row = api.backend.services.ctx.sqlite.prepare('SELECT device_token AS d FROM gateways WHERE id = ?').get(gatewayId) as {
      d: string | null;
    };
    const agentId = await createWorker('Bundle', checkIn.obedient());
    mintedTokens.push((await api.user('post', `/api/v1/agents/${agentId}/token`).expect(200)).body.token);
    // The device's private key is a secret too (gateway-device.json); the public parts are not.
    const device = JSON.parse(readFileSync(join(api.dataDir, 'gateway-device.json'), 'utf8')) as Record<string, unknown>;
    const keyMaterial = Object.entries(device)
      .filter(([k, v]) => typeof v === 'string' && /private/i.test(k))
      .flatMap(([, v]) => (v as string).split('\n').filter((line) => line.length >= 20 && !line.startsWith('-----')));
    expect(keyMaterial.length, 'the private key was found to search for').toBeGreaterThan(0);
    const secrets = [gatewayToken, api.backend.localToken, ...mintedTokens, ...keyMaterial, ...(row.d ? [row.d] : [])];
    // A leak, as a careless log line would write it: the bundle must still hold none of it.
    const logFile = join(api.dataDir, 'logs', 'mission-control.log');
    api.backend.logger.flush();
    appendFileSync(
      logFile,
      `${JSON.stringify({ msg: `leak ${gatewayToken} ${api.backend.localToken} ${mintedTokens[0]}`, headers: `Bearer ${row.d ?? mintedTokens.at(-1)}` })}\n`,
    );
    expect(readFileSync(logFile, 'utf8')).toContain(gatewayToken);

    const bundle = (await api.user('post', '/api/v1/doctor/support-bundle').expect(200)).body as { path: string; files: string[] };
    expect(bundle.files).toEqual([
      'README.txt',
      'doctor-report.json',
      'versions.json',
      'config.json',
      'db-summary.json',
      'logs/mission-control.log',
      ...(api.backend.services.ctx.sqlite.prepare('SELECT id FROM gateways ORDER BY created_at').raw().all() as string[][]).map(
        ([id]) => `gateway-logs/${id}.log`,
      ),
      'database/mission-control.redacted.db',
    ]);
    const tar = gunzipSync(readFileSync(bundle.path));
    const files = readTar(tar);
    // Every byte, the database copy's included.
    for (const secret of secrets)
      expect(tar.includes(Buffer.from(secret)), `a secret (${secret.slice(0, 4)}…) is in the bundle`).toBe(false);
    // The gateway's own log, through logs.tail, headed by when each agent was woken.
    const gatewayLog = files.get(`gateway-logs/${gatewayId}.log`)!.toString();
    expect(gatewayLog).toContain(`(${agentId}): last woken 20`);
    expect(gatewayLog).toMatch(/^# .+: last [1-9]\d* lines/m);
    expect(gatewayLog).not.toContain('not collected');
    expect(files.get('logs/mission-control.log')?.toString()).toContain('leak [redacted] [redacted] [redacted]');
    const summary = JSON.parse(files.get('db-summary.json')!.toString());
    expect(summary.agents).toContainEqual(expect.objectContaining({ id: agentId }));
    expect(summary.tables.agents).toBeGreaterThan(0);
    expect(summary.recent_lifecycle_events.length).toBeGreaterThan(0);
    const config = JSON.parse(files.get('config.json')!.toString());
    expect(config.gateways).toContainEqual(expect.objectContaining({ id: gatewayId, has_token: true }));
    const versions = JSON.parse(files.get('versions.json')!.toString());
    expect(versions.gateways[0].version).toMatch(/^2026\./);
    expect(JSON.parse(files.get('doctor-report.json')!.toString()).checks.length).toBe(CHECK_IDS.length);
  }, 90_000);

  it('gateway stopped → unreachable with the next step; started again → re-test → verified', async () => {
    await harness('halt');
    try {
      // While the gateway shuts down the first answer can be connection_lost (a socket closed mid-handshake).
      const down = await until(
        'unreachable',
        () => check(api, 'gateway.connection'),
        (c) =>
          c.status === 'fail' &&
          (c.evidence.gateways as { id: string; code?: string }[]).some((g) => g.id === gatewayId && g.code === 'unreachable'),
        20_000,
      );
      expect(down.explanation).toMatch(/Nothing answered at the gateway URL.*openclaw gateway run/s);
      expect(down.evidence.gateways).toContainEqual(expect.objectContaining({ id: gatewayId, code: 'unreachable' }));
      // The checks that need a connected gateway say so instead of guessing.
      expect((await check(api, 'gateway.exec_policy')).status).toBe('skipped');
    } finally {
      await harness('restart');
    }
    const result = await fix(api, 'gateway.connection', { action: 'retest_gateway', target_id: gatewayId, verify_wait_seconds: 60 });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
  }, 300_000);
});
