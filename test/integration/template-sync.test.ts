import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { agents } from '../../backend/db/schema.js';
import type { GatewayConnection } from '../../backend/gateway/connection.js';
import { GatewayError } from '../../backend/gateway/errors.js';
import { createGatewayManager, type GatewayManager } from '../../backend/gateway/manager.js';
import { createProvisioner, TokenMismatchError } from '../../backend/lifecycle/provisioner.js';
import { createGatewayStateStore } from '../../backend/services/gateways.js';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { checkIn, modelControl, summarizeCheckIns, tokenInCommand } from '../support/openclaw/model-control.js';
import { until } from '../support/until.js';

/*
 * Template sync and drift on the real gateway with scripted agents that run the check-in command
 * they find in their AGENTS.md. Gateway state is read and edited with an independent raw client.
 * Order matters: the CLI's direct mode stops the app at the end.
 */

const DEADLINE_S = 20;
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const suffix = randomBytes(3).toString('hex');
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const fileOnGateway = async (agentId: string, name: string) =>
  (await gw<{ file: { content?: string; missing?: boolean } }>('agents.files.get', { agentId, name })).file;
const workspaceToken = async (key: string) => tokenFromAgentsFile((await fileOnGateway(key, 'AGENTS.md')).content ?? '');

let api: TestApi;
let gatewayId: string;
let boardId: string;
const created: string[] = [];

interface Agent {
  id: string;
  status: string;
  last_seen_at: string | null;
}
const getAgent = async (id: string): Promise<Agent> => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body as Agent;

/** An obedient worker (runs the check-in command from its AGENTS.md), created and checked in. */
async function obedientWorker(name: string, board = boardId): Promise<{ id: string; key: string }> {
  await model.setPatternScript(/^mc-(?!gateway-)/, checkIn.obedient());
  const res = await api
    .user('post', '/api/v1/agents')
    .send({ name: `${name} ${suffix}`, board_id: board })
    .expect(200);
  const id = res.body.id as string;
  created.push(id);
  await model.setScript(`mc-${id}`, checkIn.obedient());
  await model.setPatternScript(/^mc-(?!gateway-)/, null);
  await until(`${name} checks in`, async () => (await getAgent(id)).last_seen_at !== null, (DEADLINE_S * 2 + 20) * 1000);
  return { id, key: `mc-${id}` };
}

const sync = (query: string, status = 200) => api.user('post', `/api/v1/gateways/${gatewayId}/templates/sync?${query}`).expect(status);
const drift = (query = '') => api.user('get', `/api/v1/gateways/${gatewayId}/templates/drift?${query}`).expect(200);
/** What the backend remembers about this agent's drift (GET /api/v1/template-drift: no gateway read). */
const rememberedOf = async (id: string) => {
  const res = await api.user('get', `/api/v1/template-drift?gateway_id=${gatewayId}`).expect(200);
  return (
    res.body.items[0].agents as { agent_id: string; state: string; files: string[]; checked_at: string | null; source: string }[]
  ).find((a) => a.agent_id === id);
};
const heartbeat = (token: string) => api.agent(token, 'post', '/api/v1/agent/heartbeat');
type SyncEntry = {
  agent_id: string;
  outcome: string;
  token: string | null;
  token_rotated: boolean;
  files_written: string[];
  files_kept: string[];
  verify: { checked_in: boolean } | null;
};
const entryOf = (body: { agents: SyncEntry[] }, id: string) => body.agents.find((a) => a.agent_id === id);
type DriftFile = { name: string; status: string; preserved: boolean; diff: string | null };
const driftOf = (body: { agents: { agent_id: string; token: string | null; files: DriftFile[] }[] }, id: string) => {
  const agent = body.agents.find((a) => a.agent_id === id);
  if (!agent) throw new Error(`agent ${id} not in the drift report`);
  return { token: agent.token, files: Object.fromEntries(agent.files.map((f) => [f.name, f])) as Record<string, DriftFile> };
};

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
  const gateway = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `Sync ${suffix}`, url: gatewayUrl, token: gatewayToken })
    .expect(200);
  gatewayId = gateway.body.id;
  const board = await api
    .user('post', '/api/v1/boards')
    .send({ name: `Sync board ${suffix}`, description: 'Template sync', gateway_id: gatewayId, create_lead: false })
    .expect(200);
  boardId = board.body.id;
}, 120_000);

afterAll(async () => {
  for (const id of created) {
    await model.setScript(`mc-${id}`, null);
    await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
  }
  await api?.stop();
}, 60_000);

describe('drift preview and sync', () => {
  it('an edited file shows as drifted with a diff; sync restores it; the agent’s own files only with overwrite', async () => {
    const { id, key } = await obedientWorker('Drift');
    const token = await workspaceToken(key);
    expect(token).toBeTruthy();
    // Provisioning wrote its files: remembered as in sync without any read.
    expect(await rememberedOf(id)).toMatchObject({ state: 'in_sync', source: 'provision' });

    const before = driftOf((await drift(`board_id=${boardId}&include_main=false`)).body, id);
    expect(before.token).toBe('match');
    for (const name of ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'])
      expect(before.files[name]?.status, name).toBe('in_sync');
    // The reference's files the current gateway refuses are reported, not silently dropped.
    expect(before.files['TOOLS.md']?.status).toBe('unsupported');
    expect(before.files['HEARTBEAT.md']?.status).toBe('unsupported');

    const soul = (await fileOnGateway(key, 'SOUL.md')).content ?? '';
    await gw('agents.files.set', { agentId: key, name: 'SOUL.md', content: `${soul}Edited by hand: ignore the board.\n` });
    await gw('agents.files.set', { agentId: key, name: 'MEMORY.md', content: 'My own notes.\n' });
    await gw('agents.files.set', { agentId: key, name: 'IDENTITY.md', content: '' });

    const res = await drift(`board_id=${boardId}&include_main=false`);
    expect(res.text).not.toContain(token!);
    const edited = driftOf(res.body, id);
    expect(edited.files['SOUL.md']).toMatchObject({ status: 'drifted', preserved: false });
    expect(edited.files['SOUL.md']?.diff).toMatch(/^--- gateway\/SOUL\.md\n\+\+\+ template\/SOUL\.md\n@@ .* @@\n/);
    expect(edited.files['SOUL.md']?.diff).toContain('\n-Edited by hand: ignore the board.\n');
    expect(edited.files['MEMORY.md']).toMatchObject({ status: 'drifted', preserved: true });
    expect(edited.files['IDENTITY.md']?.status).toBe('drifted');
    expect(edited.files['AGENTS.md']?.status).toBe('in_sync');
    expect(res.body.summary.drifted).toBeGreaterThanOrEqual(3);
    // The read is remembered with its time; the agent's own MEMORY.md is not counted as drift.
    expect(await rememberedOf(id)).toMatchObject({
      state: 'drifted',
      files: ['SOUL.md', 'IDENTITY.md'],
      checked_at: res.body.checked_at,
      source: 'drift_read',
    });

    const first = await sync(`board_id=${boardId}&include_main=false`);
    expect(first.body).toMatchObject({ errors: [], agents_updated: 1, main_updated: false });
    expect(entryOf(first.body, id)).toMatchObject({ outcome: 'updated', token: 'match', token_rotated: false });
    expect(entryOf(first.body, id)?.files_kept).toEqual(['USER.md', 'MEMORY.md']);
    expect((await fileOnGateway(key, 'SOUL.md')).content).toBe(soul);
    expect((await fileOnGateway(key, 'MEMORY.md')).content).toBe('My own notes.\n');
    expect(await workspaceToken(key)).toBe(token); // a valid token is kept
    expect(await rememberedOf(id)).toMatchObject({ state: 'in_sync', files: [] });
    const afterFirst = driftOf((await drift(`board_id=${boardId}&include_main=false`)).body, id);
    expect(afterFirst.files['SOUL.md']?.status).toBe('in_sync');
    expect(afterFirst.files['IDENTITY.md']?.status).toBe('in_sync');
    expect(afterFirst.files['MEMORY.md']?.status).toBe('drifted');

    const second = await sync(`board_id=${boardId}&include_main=false&overwrite=true`);
    expect(entryOf(second.body, id)?.files_written).toContain('MEMORY.md');
    const clean = driftOf((await drift(`board_id=${boardId}&include_main=false`)).body, id);
    expect(
      Object.values(clean.files)
        .filter((f) => f.status !== 'unsupported')
        .every((f) => f.status === 'in_sync'),
    ).toBe(true);
  }, 180_000);
});

describe('the seed’s token drift story', () => {
  it('workspace token no longer matches → 401 → reported, not fixed → rotate_tokens + verify → the agent checks in with the new token', async () => {
    const { id, key } = await obedientWorker('Drifted');
    const old = (await workspaceToken(key))!;
    // Mission Control's token moves on while the workspace keeps the old one.
    const issued = (await api.user('post', `/api/v1/agents/${id}/token`).expect(200)).body.token as string;
    const since = new Date();
    await api.user('post', `/api/v1/agents/${id}/wake`).expect(200);
    await until(
      'the agent’s check-in is refused (401) with its old token',
      async () =>
        api.backend.services.agentAuth
          .recentFailures({ since, agentIds: [id] })
          .some((f) => f.reason === 'retired_token' && f.token_prefix === old.slice(0, 6)),
      (DEADLINE_S + 30) * 1000,
    );

    const report = await sync(`board_id=${boardId}&include_main=false`);
    expect(report.body.errors).toContainEqual({
      agent_id: id,
      agent_name: expect.any(String),
      board_id: boardId,
      message: expect.stringContaining('does not match'),
    });
    expect(entryOf(report.body, id)).toMatchObject({ outcome: 'skipped', token: 'mismatch', token_rotated: false, files_written: [] });
    expect(report.body.token_mismatches).toBeGreaterThanOrEqual(1);
    for (const secret of [old, issued]) expect(report.text).not.toContain(secret);
    expect(await workspaceToken(key)).toBe(old); // not fixed silently
    expect(await rememberedOf(id)).toMatchObject({ state: 'token_differs', source: 'sync' });
    const lifecycle = await api.user('get', `/api/v1/logs?event=lifecycle.token.mismatch&agent_id=${id}`).expect(200);
    expect(lifecycle.body.items[0].message).toMatch(/does not match/);
    const preview = await drift(`board_id=${boardId}&include_main=false`);
    expect(driftOf(preview.body, id).token).toBe('mismatch');
    expect(driftOf(preview.body, id).files['AGENTS.md']?.status).toBe('in_sync'); // the secret is not a diff
    expect(preview.text).not.toContain(old);

    const fixed = await sync(`board_id=${boardId}&include_main=false&rotate_tokens=true&verify=true`);
    for (const secret of [old, issued]) expect(fixed.text).not.toContain(secret);
    const entry = entryOf(fixed.body, id);
    expect(entry).toMatchObject({
      outcome: 'updated',
      token: 'mismatch',
      token_rotated: true,
      verify: { woken: true, checked_in: true, old_token_refused: true },
    });
    const current = (await workspaceToken(key))!;
    expect([old, issued]).not.toContain(current);
    expect(fixed.text).not.toContain(current);
    // The agent found the new token by reading its AGENTS.md again: its latest check-in command carries it.
    const commands = summarizeCheckIns(await model.requests(key)).commands;
    expect(tokenInCommand(commands.at(-1) ?? '')).toBe(current);
    expect(commands.some((c) => tokenInCommand(c) === old)).toBe(true);
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
    await heartbeat(issued).expect(401);
    expect(await rememberedOf(id)).toMatchObject({ state: 'in_sync' });
  }, 240_000);

  it('the seed’s curl, verbatim but for host and ids: recreates a deleted gateway agent with a new token', async () => {
    const { id, key } = await obedientWorker('Seed');
    const old = (await workspaceToken(key))!;
    // "Agents were manually deleted from openclaw.json"
    await gw('agents.delete', { agentId: key, deleteFiles: true });
    await until('gone', async () => !(await gw<{ agents: { id: string }[] }>('agents.list')).agents.some((a) => a.id === key), 15_000);

    const script = [
      `GATEWAY_ID="${gatewayId}"`,
      `TOKEN="${api.backend.localToken}"`,
      `curl -X POST "http://localhost:${new URL(api.url).port}/api/v1/gateways/$GATEWAY_ID/templates/sync?rotate_tokens=true&overwrite=true" \\`,
      `-H "Authorization: Bearer $TOKEN"`,
    ].join('\n');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', `${script}\n`], { timeout: 120_000 }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    const result = JSON.parse(stdout) as { errors: unknown[]; main_updated: boolean; agents: SyncEntry[] };
    expect(result.errors).toEqual([]);
    expect(result.main_updated).toBe(true);
    expect(entryOf(result, id)).toMatchObject({ outcome: 'updated', token: 'missing', token_rotated: true });
    expect(stdout).not.toContain(old);
    expect((await gw<{ agents: { id: string }[] }>('agents.list')).agents.map((a) => a.id)).toContain(key);
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
  }, 180_000);
});

/**
 * Fault injection (the one use of a fake): every call goes to the real gateway, but the reply to the
 * first AGENTS.md write is lost after the gateway applied it, as when the connection drops just then.
 */
function FakeLostReplyManager(real: GatewayManager): GatewayManager {
  let dropped = false;
  const wrap = (conn: GatewayConnection): GatewayConnection =>
    new Proxy(conn, {
      get(target, prop, receiver) {
        if (prop !== 'request') return Reflect.get(target, prop, receiver) as unknown;
        return async (method: string, params: Record<string, unknown> = {}, opts?: object) => {
          const reply: unknown = await target.request(method, params, opts);
          if (!dropped && method === 'agents.files.set' && params.name === 'AGENTS.md') {
            dropped = true;
            throw new GatewayError('connection_lost', 'reply lost after the write (injected)');
          }
          return reply;
        };
      },
    });
  return { ...real, connection: (t) => wrap(real.connection(t)), ready: (t, ms, o) => real.ready(t, ms, o) };
}

describe('a paused board and a rotation (#13 item 1)', () => {
  it('rotate_tokens re-keys a paused board’s agent (old token refused, new one used); its own files are kept even with overwrite', async () => {
    const paused = await api
      .user('post', '/api/v1/boards')
      .send({ name: `Paused ${suffix}`, description: 'Paused', gateway_id: gatewayId, create_lead: false })
      .expect(200);
    const { id, key } = await obedientWorker('Paused', paused.body.id);
    const old = (await workspaceToken(key))!;
    await api
      .user('post', `/api/v1/boards/${paused.body.id}/memory`)
      .send({ content: '/pause', tags: ['chat'] })
      .expect(200);
    await gw('agents.files.set', { agentId: key, name: 'MEMORY.md', content: 'Paused notes.\n' });

    const plain = await sync(`board_id=${paused.body.id}&include_main=false`);
    expect(entryOf(plain.body, id)).toMatchObject({ outcome: 'skipped', token_rotated: false });
    expect(await workspaceToken(key)).toBe(old);

    const rotated = await sync(
      `board_id=${paused.body.id}&include_main=false&rotate_tokens=true&verify=true&overwrite=true&reset_sessions=true`,
    );
    expect(rotated.body.paused_board_ids).toEqual([paused.body.id]);
    expect(entryOf(rotated.body, id)).toMatchObject({
      outcome: 'updated',
      token_rotated: true,
      reason: expect.stringContaining('re-keyed only'),
      files_kept: expect.arrayContaining(['MEMORY.md']),
      verify: { woken: true, checked_in: true, old_token_refused: true },
    });
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    expect((await fileOnGateway(key, 'MEMORY.md')).content).toBe('Paused notes.\n');
    await heartbeat(old).expect(401);
    await heartbeat(current).expect(200);
  }, 180_000);
});

describe('no silent re-key, no split token', () => {
  const row = (id: string) => api.backend.services.ctx.db.select().from(agents).where(eq(agents.id, id)).get()!;

  it('a token that changed between the sync’s read and its write is reported; nothing is owed, so the next wake does not mint one', async () => {
    const { id, key } = await obedientWorker('Raced');
    const old = (await workspaceToken(key))!;
    // The workspace's token changes after the sync read it (hand edit, another tool).
    const other = randomBytes(32).toString('base64url');
    const agentsMd = (await fileOnGateway(key, 'AGENTS.md')).content ?? '';
    await gw('agents.files.set', { agentId: key, name: 'AGENTS.md', content: agentsMd.split(old).join(other) });

    // What the sync asks of the provisioner for this agent.
    await expect(
      api.backend.services.provisioner.provision(id, { action: 'update', wake: true, keepTokenOnly: true, newCycle: true }),
    ).rejects.toBeInstanceOf(TokenMismatchError);
    expect(row(id)).toMatchObject({ provisionAction: null, lastProvisionError: expect.stringContaining('rotate_tokens=true') });
    const trail = await api.user('get', `/api/v1/logs?event=lifecycle.token.mismatch&agent_id=${id}`).expect(200);
    expect(trail.body.items[0].message).toMatch(/token differs/);

    // The next wake only wakes: with an `update` left owed it would re-provision and mint a token.
    await api.user('post', `/api/v1/agents/${id}/wake`).expect(200);
    expect(await workspaceToken(key)).toBe(other);
    expect(api.backend.services.agents.tokenMatches(row(id), old)).toBe(true);
    // Put the workspace right again: later board-wide syncs expect no mismatch but their own.
    await gw('agents.files.set', { agentId: key, name: 'AGENTS.md', content: agentsMd });
  }, 180_000);

  it('rotation whose AGENTS.md reply is lost after the gateway wrote it: Mission Control adopts the new token', async () => {
    const { id, key } = await obedientWorker('Lost reply');
    const old = (await workspaceToken(key))!;
    const { ctx, agents: agentService } = api.backend.services;
    const real = createGatewayManager({
      identityFile: join(api.dataDir, 'gateway-device.json'),
      logger: ctx.logger,
      clientVersion: 'test',
      store: createGatewayStateStore(ctx),
    });
    try {
      const provisioner = createProvisioner({
        ctx,
        agents: agentService,
        manager: FakeLostReplyManager(real),
        baseUrl: api.backend.config.baseUrl,
      });
      await expect(
        provisioner.provision(id, { action: 'update', wake: false, rotateToken: true, keepTokenOnly: true, newCycle: true }),
      ).rejects.toThrow(/reply lost/);
    } finally {
      real.closeAll();
    }
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
  }, 180_000);
});

describe('one sync per gateway', () => {
  it('a second sync while one runs answers 409 with a clear message; the first completes', async () => {
    await obedientWorker('Busy');
    const started = new Promise<void>((resolve) => {
      const stop = api.backend.services.templateSync.progress.subscribe((p) => {
        if (p.gateway_id === gatewayId && p.phase === 'started') {
          stop();
          resolve();
        }
      });
    });
    // verify=true keeps the first one running until its agents check in (seconds).
    const first = sync(`board_id=${boardId}&include_main=false&verify=true`).then((res) => res);
    await started;
    const second = await sync('include_main=false', 409);
    expect(second.body.detail).toMatchObject({ code: 'template_sync_running', message: expect.stringContaining('already running') });
    expect((await first).body.gateway_id).toBe(gatewayId);
    // Over: the next one runs.
    await sync(`board_id=${boardId}&include_main=false`);
  }, 180_000);
});

describe('the CLI, as a subprocess', () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        join(process.cwd(), 'node_modules/.bin/tsx'),
        ['backend/cli.ts', ...args],
        { cwd: process.cwd(), timeout: 120_000, env: { ...process.env, MC_LOG_LEVEL: 'warn' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('with the app running: through its API; exit 0, and exit 1 when a token differs', async () => {
    const { id } = await obedientWorker('Cli');
    const list = await cli(['gateways', 'list', '--data-dir', api.dataDir]);
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toContain(gatewayId);

    const syncBoard = () =>
      cli(['templates', 'sync', '--gateway-id', gatewayId, '--board-id', boardId, '--no-include-main', '--data-dir', api.dataDir]);
    const ok = await syncBoard();
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`through the running app at ${api.url}`);
    expect(ok.stdout).toMatch(/errors: 0/);
    // --no-include-main reached the API: the gateway's main agent was left out.
    expect(ok.stdout).toMatch(/main agent updated: no/);
    expect(ok.stdout).not.toContain('(main agent)');

    const issued = (await api.user('post', `/api/v1/agents/${id}/token`).expect(200)).body.token as string;
    const bad = await syncBoard();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/token differed/);
    expect(bad.stdout).not.toContain(issued);
  }, 180_000);

  it('with the app stopped: directly on the data dir (claim released afterwards), with the app’s base URL; exit 1 on a mismatch, 0 after --rotate-tokens', async () => {
    const { id: worker, key } = await obedientWorker('Direct');
    // Mission Control's token moves on; the workspace keeps the old one.
    await api.user('post', `/api/v1/agents/${worker}/token`).expect(200);
    const baseUrl = api.backend.config.baseUrl;
    const dataDir = api.dataDir;
    await api.stop(false);
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false);

    const common = ['templates', 'sync', '--gateway-id', gatewayId, '--board-id', boardId, '--no-include-main', '--data-dir', dataDir];
    const bad = await cli(common);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`through the data dir ${dataDir}`);
    expect(bad.stdout).toContain(`agents are told ${baseUrl}`);
    expect(bad.stdout).toMatch(/token differed/);

    const verify = await cli([...common, '--verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/--verify needs the app running/);

    // A base URL other than the app's would point agents elsewhere: refused (without --force).
    const elsewhere = await cli([...common, '--base-url', 'http://localhost:1', '--rotate-tokens']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`differs from ${baseUrl}`);

    const old = (await workspaceToken(key))!;
    // No --base-url: the app's own (its port is random here, so a default would differ).
    const fixed = await cli([...common, '--rotate-tokens', '--json']);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    const result = JSON.parse(fixed.stdout) as { errors: unknown[]; agents: SyncEntry[] };
    expect(result.errors).toEqual([]);
    expect(entryOf(result, worker)).toMatchObject({ outcome: 'updated', token: 'mismatch', token_rotated: true });
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false); // the claim was released
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    expect(fixed.stdout).not.toContain(current);
    // The rendered files still point agents at the app's base URL.
    expect((await fileOnGateway(key, 'AGENTS.md')).content).toContain(`BASE_URL=${baseUrl}`);

    api = await startTestApi({ dataDir, checkinDeadlineSeconds: DEADLINE_S });
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
  }, 240_000);
});
