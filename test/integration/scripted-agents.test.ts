import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkinCommand, tokenFromAgentsFile } from '../../backend/templates/render.js';
import { tokenPrefix } from '../../backend/core/tokens.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { connectRaw, rawRpc } from '../support/openclaw/gateway.js';
import {
  checkIn,
  modelControl,
  summarizeCheckIns,
  tokenInCommand,
  type ModelRequest,
  type ScriptStep,
} from '../support/openclaw/model-control.js';

/*
 * Scripted check-in behaviours against the real gateway and a real Mission Control backend: the
 * scripted model reads the check-in command from AGENTS.md in its system prompt and has the gateway
 * run it with `exec`, so `curl` on this machine really POSTs to the backend's heartbeat endpoint.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);

// Workers are `mc-<uuid>` on the gateway; the gateway's main agent (`mc-gateway-<uuid>`) is left alone.
const WORKERS = /^mc-(?!gateway-)/;

interface AgentRecord {
  id: string;
  status: string;
  last_seen_at: string | null;
  last_wake_sent_at: string | null;
}

/** From Mission Control's last wake to the check-in, both by the backend's clock. */
const checkInDelay = (agent: AgentRecord): number => Date.parse(agent.last_seen_at ?? '') - Date.parse(agent.last_wake_sent_at ?? '');

let api: TestApi;
let boardId: string;
const suffix = randomBytes(3).toString('hex');
let counter = 0;
const created: string[] = [];

const getAgent = async (id: string): Promise<AgentRecord> =>
  (await api.user('get', `/api/v1/agents/${id}`).expect(200)).body as AgentRecord;

async function eventually<T>(what: string, read: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates a worker with `behaviour` in place (Mission Control provisions it and wakes it once, inside the POST). */
async function createWorker(behaviour: ScriptStep): Promise<{ id: string; key: string }> {
  await model.setPatternScript(WORKERS, behaviour);
  const res = await api
    .user('post', '/api/v1/agents')
    .send({ name: `Scripted ${suffix} ${++counter}`, board_id: boardId })
    .expect(200);
  const id = res.body.id as string;
  created.push(id);
  expect(res.body).toMatchObject({ last_provision_error: null, wake_attempts: 1 });
  return { id, key: `mc-${id}` };
}

const waitForCheckIn = (id: string, timeoutMs = 30_000) =>
  eventually(`check-in of ${id}`, async () => ((await getAgent(id)).last_seen_at ? getAgent(id) : undefined), timeoutMs);

const isTurn = (heartbeat: boolean) => (r: ModelRequest) => r.heartbeat === heartbeat && !r.afterTool;

/** A heartbeat turn via `wake`, as Mission Control sends it; resolves with the gateway's heartbeat event. */
async function wakeNow(key: string, text: string): Promise<Record<string, unknown>> {
  const conn = await connectRaw(gatewayUrl, gatewayToken);
  try {
    await conn.request('wake', { mode: 'now', text, agentId: key, sessionKey: `agent:${key}:main` });
    return (await conn.waitForEvent((e) => e.event === 'heartbeat', 45_000)).payload as Record<string, unknown>;
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  api = await startTestApi();
  const gateway = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `Scripted agents ${suffix}`, url: gatewayUrl, token: gatewayToken })
    .expect(200);
  const board = await api
    .user('post', '/api/v1/boards')
    .send({ name: `Scripted board ${suffix}`, description: 'Check-in behaviours', gateway_id: gateway.body.id, create_lead: false })
    .expect(200);
  boardId = board.body.id;
});

afterEach(async () => {
  await model.setPatternScript(WORKERS, null);
});

afterAll(async () => {
  // The gateway is shared by every integration file: take our workers off it.
  for (const id of created) {
    await model.setScript(`mc-${id}`, null);
    await api?.user('delete', `/api/v1/agents/${id}`).catch(() => undefined);
  }
  await api?.stop();
});

describe('scripted check-in behaviours (real gateway, real backend)', () => {
  it(
    'obedient: the wake on creation makes the agent run the check-in with exec; Mission Control sees it',
    { timeout: 60_000 },
    async () => {
      const worker = await createWorker(checkIn.obedient());
      const agent = await waitForCheckIn(worker.id);
      console.log(`[scripted-agents] obedient: check-in ${checkInDelay(agent)} ms after Mission Control's wake`);
      expect(agent.status).toBe('online');

      const requests = await model.waitForRequests(worker.key, (r) => r.afterTool, 1, 10_000);
      const all = await model.requests(worker.key);
      const [call] = all.filter((r) => r.checkIn?.issued);
      expect(call).toMatchObject({
        heartbeat: true,
        checkIn: { behaviour: 'obedient', turn: 1, tool: { name: 'exec', argument: 'command' } },
      });
      // The command is the one rendered into AGENTS.md, run as the gateway's exec tool call.
      const agentsMd = (await gw<{ file: { content: string } }>('agents.files.get', { agentId: worker.key, name: 'AGENTS.md' })).file
        .content;
      expect(agentsMd).toContain(call!.checkIn!.command);
      expect(call!.checkIn!.command).toBe(checkinCommand(api.backend.config.baseUrl, tokenFromAgentsFile(agentsMd) ?? '<no token>'));
      expect(call!.response).toMatchObject({ kind: 'tool', name: 'exec', arguments: JSON.stringify({ command: call!.checkIn!.command }) });
      // The tool result is Mission Control's answer (the agent record), and the turn ends with NO_REPLY.
      expect(requests[0]!.toolResults.join('\n')).toContain(worker.id);
      expect(requests[0]!.response).toEqual({ kind: 'text', text: 'NO_REPLY' });
      expect(summarizeCheckIns(all)).toMatchObject({ heartbeatTurns: 1, checkInsIssued: 1 });
    },
  );

  it('obedient also checks in on a chat turn and then answers with a short text', { timeout: 60_000 }, async () => {
    const worker = await createWorker(checkIn.obedient({ chatText: 'checked in, nothing else to do' }));
    const first = await waitForCheckIn(worker.id);

    const conn = await connectRaw(gatewayUrl, gatewayToken);
    const sentAt = Date.now();
    try {
      const sent = await conn.request<{ runId: string }>('chat.send', {
        sessionKey: `agent:${worker.key}:main`,
        message: 'status?',
        idempotencyKey: `scripted-chat-${suffix}-${worker.id}`,
      });
      const final = await conn.waitForEvent(
        (e) =>
          e.event === 'chat' &&
          (e.payload as { runId?: string; state?: string }).runId === sent.runId &&
          (e.payload as { state?: string }).state === 'final',
        45_000,
      );
      expect(JSON.stringify(final.payload)).toContain('checked in, nothing else to do');
    } finally {
      await conn.close();
    }
    const second = await eventually(
      'second check-in',
      async () => {
        const agent = await getAgent(worker.id);
        return agent.last_seen_at !== first.last_seen_at ? agent : undefined;
      },
      20_000,
    );
    console.log(`[scripted-agents] obedient chat: check-in ${Date.parse(second.last_seen_at ?? '') - sentAt} ms after chat.send`);
    expect(Date.parse(second.last_seen_at ?? '')).toBeGreaterThan(Date.parse(first.last_seen_at ?? ''));
    const summary = summarizeCheckIns(await model.requests(worker.key));
    expect(summary).toMatchObject({ heartbeatTurns: 1, chatTurns: 1, checkInsIssued: 2 });
  });

  it('silent: answers the wake but never checks in', { timeout: 60_000 }, async () => {
    const worker = await createWorker(checkIn.silent());
    const [wake] = await model.waitForRequests(worker.key, isTurn(true), 1, 40_000);
    expect(wake).toMatchObject({
      response: { kind: 'text', text: 'NO_REPLY' },
      checkIn: { behaviour: 'silent', issued: false, reason: 'silent' },
    });
    await new Promise((r) => setTimeout(r, 10_000));

    const agent = await getAgent(worker.id);
    expect(agent.last_seen_at).toBeNull();
    expect(agent.status).toBe('provisioning');
    const all = await model.requests(worker.key);
    expect(all.filter((r) => r.afterTool)).toEqual([]);
    expect(summarizeCheckIns(all)).toMatchObject({ heartbeatTurns: 1, checkInsIssued: 0 });
  });

  it('stale: checks in with an old token; Mission Control answers 401 and attributes it to the agent', { timeout: 60_000 }, async () => {
    const worker = await createWorker(checkIn.obedient());
    await waitForCheckIn(worker.id);
    const agentsMd = (await gw<{ file: { content: string } }>('agents.files.get', { agentId: worker.key, name: 'AGENTS.md' })).file.content;
    const inWorkspace = tokenFromAgentsFile(agentsMd);
    // Two rotations: the token the stale agent sends (`old`) is retired and differs from the one its
    // AGENTS.md still holds, so a 401 carrying `old` proves the substitution, not just the drift.
    const old = (await api.user('post', `/api/v1/agents/${worker.id}/token`).expect(200)).body.token as string;
    await api.user('post', `/api/v1/agents/${worker.id}/token`).expect(200);
    expect(old).not.toBe(inWorkspace);

    await model.setScript(worker.key, checkIn.stale(old));
    const since = new Date();
    const woke = Date.now();
    await wakeNow(worker.key, 'Mission Control check-in due: run the check-in command from AGENTS.md.');
    const failure = await eventually(
      'retired_token failure',
      async () =>
        api.backend.services.agentAuth
          .recentFailures({ since, agentIds: [worker.id] })
          .find((f) => f.reason === 'retired_token' && f.token_prefix === tokenPrefix(old)),
      30_000,
    );
    console.log(`[scripted-agents] stale: 401 recorded ${Date.parse(failure.first_at) - woke} ms after the wake`);
    expect(failure).toMatchObject({ agent_id: worker.id, count: 1 });

    const requests = await model.requests(worker.key);
    const staleCall = requests.find((r) => r.checkIn?.behaviour === 'stale' && r.checkIn.issued);
    expect(tokenInCommand(staleCall?.checkIn?.command ?? '')).toBe(old);
    const result = requests.find((r) => r.afterTool && r.checkIn?.behaviour === 'stale');
    expect(result?.toolResults.join('\n')).toMatch(/rotated/);
    expect(result?.response).toEqual({ kind: 'text', text: 'NO_REPLY' });
  });

  it('late(1): ignores the wake on creation, checks in on the next wake', { timeout: 60_000 }, async () => {
    const worker = await createWorker(checkIn.late(1));
    const [first] = await model.waitForRequests(worker.key, isTurn(true), 1, 40_000);
    expect(first!.checkIn).toMatchObject({ behaviour: 'late', turn: 1, issued: false, reason: 'late' });
    expect((await getAgent(worker.id)).last_seen_at).toBeNull();

    let woke = Date.now();
    let beat = await wakeNow(worker.key, 'Mission Control check-in due: run the check-in command from AGENTS.md.');
    // The first turn may still be finishing on the gateway side; a busy session skips the wake.
    for (let retry = 0; beat.status === 'skipped' && retry < 3; retry++) {
      await new Promise((r) => setTimeout(r, 1_000));
      woke = Date.now();
      beat = await wakeNow(worker.key, 'Mission Control check-in due: run the check-in command from AGENTS.md.');
    }
    const agent = await waitForCheckIn(worker.id, 30_000);
    console.log(`[scripted-agents] late: check-in ${Date.parse(agent.last_seen_at ?? '') - woke} ms after the second wake`);
    expect(beat).toMatchObject({ status: 'ok-empty', reason: 'wake' });
    expect(agent.status).toBe('online');
    const summary = summarizeCheckIns(await model.requests(worker.key));
    expect(summary).toMatchObject({ heartbeatTurns: 2, checkInsIssued: 1 });
    const issued = (await model.requests(worker.key)).find((r) => r.checkIn?.issued);
    expect(issued?.checkIn).toMatchObject({ behaviour: 'late', turn: 2 });
  });
});
