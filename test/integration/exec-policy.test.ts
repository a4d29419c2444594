import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { doctorCheck, doctorFix } from '../support/doctor.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { patchGatewayConfig } from '../support/openclaw/config-patch.js';
import { checkIn, modelControl, toolCall, type ModelRequest } from '../support/openclaw/model-control.js';

/*
 * A gateway whose exec policy refuses the headless check-in (allowlist mode, no entry for it): Mission
 * Control reads the policy and says so on the agent. The narrow fix allowlists exactly the check-in
 * command (curl with pinned arguments, the gateway's argPattern), never curl as such: on the real
 * gateway the agent then checks in headless, while curl with other arguments is refused — the same
 * command that a broad curl entry (what this fix used to write) lets write a file. The shared gateway's
 * config is restored afterwards. #13 item 5; docs/security.md "Agents stay under supervision".
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const WORKERS = /^mc-(?!gateway-)/;
const suffix = randomBytes(3).toString('hex');
const scratch = mkdtempSync(join(tmpdir(), 'mc-exec-'));
let api: TestApi;

const patchConfig = (raw: string) => patchGatewayConfig(gatewayUrl, gatewayToken, raw);
type Entry = { pattern: string; argPattern?: string };
type Approvals = { file: { agents?: Record<string, { allowlist?: Entry[] }> } & Record<string, unknown>; hash: string };

async function setAllowlist(key: string, allowlist: Entry[]): Promise<void> {
  const current = await gw<Approvals>('exec.approvals.get');
  const agents = { ...(current.file.agents ?? {}), [key]: { ...(current.file.agents?.[key] ?? {}), allowlist } };
  await gw('exec.approvals.set', { file: { ...current.file, agents }, baseHash: current.hash });
}
const allowlistOf = async (key: string) => (await gw<Approvals>('exec.approvals.get')).file.agents?.[key]?.allowlist ?? [];

async function seenAfter(agentId: string, since: number, timeoutMs = 30_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = (await api.user('get', `/api/v1/agents/${agentId}`).expect(200)).body.last_seen_at as string | null;
    if (seen && Date.parse(seen) >= since) return seen;
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Wakes the agent with its model scripted to run `command`, and returns what the exec tool answered. */
async function runAsAgent(agentId: string, key: string, command: string): Promise<string> {
  const afterTool = (r: ModelRequest) => r.afterTool;
  const before = (await model.requests(key)).filter(afterTool).length;
  await model.setScript(key, { turn: toolCall('exec', { command }), heartbeat: toolCall('exec', { command }, { finalText: 'NO_REPLY' }) });
  await api.user('post', `/api/v1/agents/${agentId}/wake`).expect(200);
  const found = await model.waitForRequests(key, afterTool, before + 1, 45_000);
  return found[before]!.toolResults.join('\n');
}

beforeAll(async () => {
  api = await startTestApi({ checkinDeadlineSeconds: 20 });
  await patchConfig('{"tools":{"exec":{"mode":"allowlist"}}}');
});
afterAll(async () => {
  await model.setPatternScript(WORKERS, null);
  await patchConfig('{ tools: { exec: null } }');
  await api?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('exec policy and the check-in', () => {
  it('refused check-in is named; the fix pins the exact check-in: it runs headless, curl with other arguments does not', async () => {
    const gateway = await api
      .user('post', '/api/v1/gateways')
      .send({ name: `Exec ${suffix}`, url: gatewayUrl, token: gatewayToken })
      .expect(200);
    const board = await api
      .user('post', '/api/v1/boards')
      .send({ name: `Exec ${suffix}`, description: 'd', gateway_id: gateway.body.id, create_lead: false })
      .expect(200);
    await model.setPatternScript(WORKERS, checkIn.obedient());
    const agent = (
      await api
        .user('post', '/api/v1/agents')
        .send({ name: `Exec ${suffix}`, board_id: board.body.id })
        .expect(200)
    ).body;
    const key = `mc-${agent.id}`;
    await model.setScript(key, checkIn.obedient());
    expect(agent.last_provision_error).toMatch(/Check-ins will be refused by the gateway: .*allowlist.*allow-checkin/s);

    // The obedient agent tries, and the gateway refuses its curl: no check-in arrives.
    await model.waitForRequests(key, (r) => r.afterTool, 1, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.last_seen_at).toBeNull();

    // What the fix used to write: curl with any arguments. The check-in would run — and so does this.
    await setAllowlist(key, [{ pattern: '/usr/bin/curl' }]);
    // (The gateway's main agent on this gateway is still refused: the check as a whole fails for it.)
    const findings = (r: { evidence: Record<string, unknown> }, kind: 'broad' | 'refused') =>
      ((r.evidence[kind] ?? []) as { agent_id: string }[]).filter((f) => f.agent_id === agent.id);
    const broadCheck = await doctorCheck(api, 'gateway.exec_policy');
    expect(broadCheck.explanation).toContain('curl may run with any arguments');
    expect(findings(broadCheck, 'broad')).toMatchObject([{ where: 'agent', pattern: '/usr/bin/curl', replaceable: true }]);
    expect(findings(broadCheck, 'refused')).toEqual([]);
    expect(broadCheck.fixes?.map((f) => [f.action, f.target_id])).toContainEqual(['allow_checkin', agent.id]);
    const wideOpen = join(scratch, 'broad-entry-wrote-this');
    const broadResult = await runAsAgent(agent.id, key, `curl -s -o ${wideOpen} file:///etc/hostname`);
    expect(existsSync(wideOpen), `with a broad curl entry the agent's curl wrote a file (tool result: ${broadResult})`).toBe(true);

    // The fix, through the doctor (it verifies by reading the policy again).
    const fixed = await doctorFix(api, 'gateway.exec_policy', { action: 'allow_checkin', target_id: agent.id });
    expect(findings(fixed.verify, 'broad')).toEqual([]);
    expect(findings(fixed.verify, 'refused')).toEqual([]);
    expect(fixed.verify.fixes?.map((f) => f.target_id)).not.toContain(agent.id);
    const entries = await allowlistOf(key);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ pattern: '/usr/bin/curl', argPattern: expect.stringContaining('\u0000X-Agent-Token: ') });
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.last_provision_error).toBeNull();

    // curl with other arguments: refused by the gateway, nothing written.
    const pinnedOut = join(scratch, 'pinned-entry-refused-this');
    const refusedResult = await runAsAgent(agent.id, key, `curl -s -o ${pinnedOut} file:///etc/hostname`);
    expect(existsSync(pinnedOut)).toBe(false);
    expect(refusedResult).toMatch(/denied|allowlist|not allowed|approval/i);
    // The check-in URL with an extra upload is refused too.
    const { body: me } = await api.user('get', `/api/v1/agents/${agent.id}`).expect(200);
    const upload = await runAsAgent(
      agent.id,
      key,
      `curl -s -X POST ${api.url}/api/v1/agent/heartbeat -d @/etc/hostname -H "X-Agent-Token: x"`,
    );
    expect(upload).toMatch(/denied|allowlist|not allowed|approval/i);
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.last_seen_at).toBe(me.last_seen_at);

    // The exact check-in runs headless.
    await model.setScript(key, checkIn.obedient());
    const wokeAt = Date.now();
    await api.user('post', `/api/v1/agents/${agent.id}/wake`).expect(200);
    expect(await seenAfter(agent.id, wokeAt)).not.toBeNull();

    // Running the fix again changes nothing (no duplicate entry).
    await api.user('post', `/api/v1/agents/${agent.id}/allow-checkin`).expect(200);
    expect(await allowlistOf(key)).toHaveLength(1);
    await api.user('delete', `/api/v1/agents/${agent.id}`).expect(200);
  }, 240_000);
});
