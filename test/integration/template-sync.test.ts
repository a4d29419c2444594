import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api.js';
import { summarizeCheckIns, tokenInCommand } from '../support/openclaw/model-control.js';
import { until } from '../support/until.js';
import {
  DEADLINE_S,
  type SyncEntry,
  api,
  boardId,
  drift,
  driftOf,
  entryOf,
  fileOnGateway,
  gatewayId,
  gw,
  heartbeat,
  model,
  obedientWorker,
  rememberedOf,
  replaceApi,
  sync,
  useSyncGateway,
  workspaceToken,
} from '../support/template-sync-gateway.js';

/*
 * Template sync and drift on the real gateway with scripted agents that run the check-in command
 * they find in their AGENTS.md (setup: test/support/template-sync-gateway.ts). Rotation races are in
 * template-sync-rotation.test.ts. Order matters: the CLI's direct mode stops the app at the end.
 */

useSyncGateway();

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

    replaceApi(await startTestApi({ dataDir, checkinDeadlineSeconds: DEADLINE_S }));
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
  }, 240_000);
});
