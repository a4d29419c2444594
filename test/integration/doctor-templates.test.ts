import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorCheckResult, DoctorFixResult, DoctorReport } from '../../backend/contract/diagnostics.js';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { doctorCheck as check, doctorFix as fix } from '../support/doctor.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { checkIn, modelControl, summarizeCheckIns, tokenInCommand } from '../support/openclaw/model-control.js';
import { until } from '../support/until.js';

/*
 * The doctor's template checks against the real gateway, with scripted agents that run the check-in
 * command they find in their AGENTS.md: a workspace file edited on the gateway (gateway.template_drift
 * → sync_templates, also through `mission-control doctor --fix`), and the seed's token drift story
 * (agents.token_drift + the template token mismatch → board-scoped rotate & re-sync, confirmed → the
 * agent checks in with its new token). Gateway state is read and edited with an independent raw client.
 */

const DEADLINE_S = 20;
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const WORKERS = /^mc-(?!gateway-)/;
const MAIN = /^mc-gateway-/;
const suffix = randomBytes(3).toString('hex');
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const fileOnGateway = async (key: string, name: string) =>
  (await gw<{ file: { content?: string } }>('agents.files.get', { agentId: key, name })).file.content ?? '';
const workspaceToken = async (key: string) => tokenFromAgentsFile(await fileOnGateway(key, 'AGENTS.md'));

let api: TestApi;
let gatewayId: string;
const created: string[] = [];

type Finding = { agent_id: string; token: string | null; drifted: string[]; missing: string[]; own_files_changed: string[] };
const findingsOf = (c: DoctorCheckResult): Finding[] =>
  (c.evidence.gateways as { gateway_id: string; agents: Finding[] }[]).find((g) => g.gateway_id === gatewayId)?.agents ?? [];

async function newBoard(name: string): Promise<string> {
  const res = await api
    .user('post', '/api/v1/boards')
    .send({ name: `${name} ${suffix}`, description: 'doctor templates', gateway_id: gatewayId, create_lead: false })
    .expect(200);
  return res.body.id as string;
}

/** An obedient worker (runs the check-in command from its AGENTS.md), created and checked in. */
async function obedientWorker(name: string, boardId: string): Promise<{ id: string; key: string }> {
  await model.setPatternScript(WORKERS, checkIn.obedient());
  const res = await api
    .user('post', '/api/v1/agents')
    .send({ name: `${name} ${suffix}`, board_id: boardId })
    .expect(200);
  const id = res.body.id as string;
  created.push(id);
  await model.setScript(`mc-${id}`, checkIn.obedient());
  await model.setPatternScript(WORKERS, null);
  await until(
    `${name} checks in`,
    async () => (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body.last_seen_at as string | null,
    Boolean,
    (DEADLINE_S * 2 + 20) * 1000,
  );
  return { id, key: `mc-${id}` };
}

/** `mission-control doctor …` as a subprocess against the running app's data dir. */
const doctorCli = (args: string[]) => runCli(['doctor', '--data-dir', api.dataDir, ...args]);
type CliReport = DoctorReport & { fixes_applied: { check: string; result?: DoctorFixResult; error?: string }[] };

beforeAll(async () => {
  // Main agents check in, so the checks see only what a test does on purpose.
  await model.setPatternScript(MAIN, checkIn.obedient());
  api = await startTestApi({ checkinDeadlineSeconds: DEADLINE_S, maxWakeAttempts: 3 });
  gatewayId = (
    await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Doctor templates ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200)
  ).body.id;
}, 120_000);

afterAll(async () => {
  for (const id of created) {
    await model.setScript(`mc-${id}`, null);
    await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
  }
  await model.setPatternScript(MAIN, null);
  await api?.stop();
}, 60_000);

describe('gateway.template_drift on the real gateway', () => {
  let boardId: string;
  let worker: { id: string; key: string };

  it('a file edited on the gateway is named; sync_templates (no confirm needed) restores it, keeps the agent’s own file and token → verified', async () => {
    boardId = await newBoard('Drift');
    worker = await obedientWorker('Drift', boardId);
    const token = (await workspaceToken(worker.key))!;
    expect(token).toBeTruthy();
    // Freshly provisioned: in sync (so a failure below is the edit, not the check's default).
    const clean = await until(
      'in sync after provisioning',
      () => check(api, 'gateway.template_drift'),
      (c) => c.status === 'ok',
      30_000,
    );
    expect(clean.explanation).toMatch(/match what Mission Control writes/);

    const soul = await fileOnGateway(worker.key, 'SOUL.md');
    await gw('agents.files.set', { agentId: worker.key, name: 'SOUL.md', content: `${soul}Edited by hand: ignore the board.\n` });
    await gw('agents.files.set', { agentId: worker.key, name: 'MEMORY.md', content: 'My own notes.\n' });

    const drifted = await check(api, 'gateway.template_drift');
    expect(drifted.status).toBe('fail');
    expect(findingsOf(drifted)).toEqual([
      expect.objectContaining({ agent_id: worker.id, token: 'match', drifted: ['SOUL.md'], missing: [], own_files_changed: ['MEMORY.md'] }),
    ]);
    expect(drifted.explanation).toContain(`Drift ${suffix}: SOUL.md changed on the gateway`);
    expect(drifted.explanation).toMatch(/“Sync templates” rewrites these files .* keeps its token and its own USER\.md \/ MEMORY\.md/);
    expect(drifted.fixes).toEqual([expect.objectContaining({ action: 'sync_templates', target_id: gatewayId, destructive: false })]);
    expect(JSON.stringify(drifted)).not.toContain(token);

    const result = await fix(api, 'gateway.template_drift', { action: 'sync_templates', target_id: gatewayId, verify_wait_seconds: 20 });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(result.message).toMatch(/re-synced/);
    expect(await fileOnGateway(worker.key, 'SOUL.md')).toBe(soul);
    expect(await fileOnGateway(worker.key, 'MEMORY.md')).toBe('My own notes.\n');
    expect(await workspaceToken(worker.key)).toBe(token);
  }, 180_000);

  it('`mission-control doctor --fix` (no --yes) applies the same safe sync through the running app and reports it verified', async () => {
    const identity = await fileOnGateway(worker.key, 'IDENTITY.md');
    await gw('agents.files.set', { agentId: worker.key, name: 'IDENTITY.md', content: '' });
    expect((await check(api, 'gateway.template_drift')).status).toBe('fail');

    const { out, err } = await doctorCli(['--fix', '--json']);
    expect(err).toBe('');
    const report = JSON.parse(out) as CliReport;
    expect(report.fixes_applied).toContainEqual({
      check: 'gateway.template_drift',
      result: expect.objectContaining({ action: 'sync_templates', verified: true }),
    });
    expect(report.checks.find((c) => c.id === 'gateway.template_drift')?.status).toBe('ok');
    expect(await fileOnGateway(worker.key, 'IDENTITY.md')).toBe(identity);
  }, 120_000);

  it('token drift story: workspace token no longer matches → 401s → both checks explain it → --fix without --yes leaves it → board-scoped rotate & re-sync with confirm → new token checks in → verified; old token 401', async () => {
    const bystanderToken = (await workspaceToken(worker.key))!;
    const boardId2 = await newBoard('Tokens');
    const { id, key } = await obedientWorker('Drifted', boardId2);
    const old = (await workspaceToken(key))!;
    // Mission Control's token moves on while the workspace keeps the old one (the seed's drift).
    const issued = (await api.user('post', `/api/v1/agents/${id}/token`).expect(200)).body.token as string;
    await api.user('post', `/api/v1/agents/${id}/wake`).expect(200);

    const tokenDrift = await until(
      'its check-ins refused (401) and seen as token drift',
      () => check(api, 'agents.token_drift'),
      (c) => c.status === 'fail',
      (DEADLINE_S + 30) * 1000,
    );
    expect(tokenDrift.explanation).toMatch(/token that was rotated away \(401\): token drift.*rotate & re-sync issues a new token/s);
    expect(tokenDrift.evidence.drifted).toContainEqual(expect.objectContaining({ agent_id: id, refused_checkins: expect.any(Number) }));
    expect(tokenDrift.fixes).toContainEqual(expect.objectContaining({ action: 'reprovision_agent', target_id: id, destructive: true }));
    expect(tokenDrift.fixes).toContainEqual(
      expect.objectContaining({ action: 'rotate_tokens_and_sync', target_id: gatewayId, board_id: boardId2, destructive: true }),
    );

    const templates = await check(api, 'gateway.template_drift');
    expect(templates.status).toBe('fail');
    expect(findingsOf(templates)).toEqual([expect.objectContaining({ agent_id: id, token: 'mismatch', drifted: [], missing: [] })]);
    expect(templates.explanation).toContain(
      `Drifted ${suffix}: its AGENTS.md holds a token Mission Control does not accept, so its check-ins are refused (401)`,
    );
    expect(templates.explanation).toMatch(/never fixed silently/);
    // Only tokens differ: a sync that keeps tokens would skip the agent, so it is not offered.
    expect(templates.fixes).toEqual([
      expect.objectContaining({ action: 'rotate_tokens_and_sync', target_id: gatewayId, board_id: boardId2, destructive: true }),
    ]);
    for (const secret of [old, issued]) expect(JSON.stringify([tokenDrift, templates])).not.toContain(secret);

    // The CLI's --fix without --yes runs no destructive fix: the drift stays, exit 1.
    const cli = await doctorCli(['--fix', '--json']);
    const cliReport = JSON.parse(cli.out) as CliReport;
    expect(cliReport.fixes_applied.map((f) => f.result?.action)).not.toContain('rotate_tokens_and_sync');
    expect(cliReport.checks.find((c) => c.id === 'gateway.template_drift')?.status).toBe('fail');
    expect(cli.code).toBe(1);
    expect(await workspaceToken(key)).toBe(old);

    const body = { action: 'rotate_tokens_and_sync', target_id: gatewayId, board_id: boardId2, verify_wait_seconds: 60 };
    const refused = await api
      .user('post', '/api/v1/doctor/fix')
      .send({ check_id: 'agents.token_drift', ...body })
      .expect(422);
    expect(refused.body.detail.loc).toEqual(['body', 'confirm']);
    const result = await fix(api, 'agents.token_drift', { ...body, confirm: true });
    expect(result).toMatchObject({ verified: true, verify: { status: 'ok' } });
    expect(result.message).toMatch(/^1 of 1 agent\(s\) re-synced, 1 token\(s\) rotated/);

    const current = (await workspaceToken(key))!;
    expect([old, issued]).not.toContain(current);
    for (const secret of [old, issued, current]) expect(JSON.stringify(result)).not.toContain(secret);
    // The agent found the new token in its AGENTS.md: its latest check-in command carries it.
    const commands = summarizeCheckIns(await model.requests(key)).commands;
    expect(tokenInCommand(commands.at(-1) ?? '')).toBe(current);
    // The template check agrees, and the rotation stayed on that board (the other board's agent kept its token).
    expect((await check(api, 'gateway.template_drift')).status).toBe('ok');
    expect(await workspaceToken(worker.key)).toBe(bystanderToken);
    await api.agent(current, 'post', '/api/v1/agent/heartbeat').expect(200);
    await api.agent(old, 'post', '/api/v1/agent/heartbeat').expect(401);
    await api.agent(issued, 'post', '/api/v1/agent/heartbeat').expect(401);
  }, 300_000);
});
