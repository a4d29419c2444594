import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { modelControl } from '../support/openclaw/model-control.js';
import { until } from '../support/until.js';

/*
 * The web edition's agent messaging on the real gateway (#16): each endpoint is called with the caller's
 * own token (read from its AGENTS.md on the gateway, as the agent itself would) and the web edition's
 * request shape; the message then has to reach the target agent's session, which the scripted model
 * records as a turn. Delivery is the outbox's (chat.send by the dispatcher), recorded as `<kind>.notified`.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const suffix = randomBytes(3).toString('hex');

let api: TestApi;
let gatewayId: string;
let mainId: string;
let mainToken: string;
let boardId: string;
let lead: { id: string; key: string; token: string };
let worker: { id: string; key: string };
const boards: string[] = [];

/** The token the gateway holds for this agent: the one in its AGENTS.md. */
async function workspaceToken(key: string): Promise<string> {
  const file = await gw<{ file: { content: string } }>('agents.files.get', { agentId: key, name: 'AGENTS.md' });
  const token = tokenFromAgentsFile(file.file.content);
  if (!token) throw new Error(`no token in the AGENTS.md of ${key}`);
  return token;
}

async function board(name: string): Promise<string> {
  const res = await api
    .user('post', '/api/v1/boards')
    .send({ name, description: 'agent messaging', gateway_id: gatewayId, create_lead: false })
    .expect(200);
  boards.push(res.body.id as string);
  return res.body.id as string;
}

/** The turn in which `key`'s model saw a message containing `text` (every text of that turn). */
async function turnWith(key: string, text: string): Promise<string> {
  const [request] = await model.waitForRequests(key, (r) => r.userTexts.some((t) => t.includes(text)), 1, 60_000);
  return request!.userTexts.find((t) => t.includes(text))!;
}

/** The message's first line (the gateway puts the time in front of a chat message: `[Mon 2026-12-07 07:43 UTC] `). */
const firstLine = (line: string) => new RegExp(`^(\\[[^\\]]*\\] )?${line}\\n`);

/** The outbox row of `kind` for `agentId` once the dispatcher has delivered it. */
const delivered = (agentId: string, kind: string) =>
  until(
    `${kind} to ${agentId} sent`,
    () => api.backend.services.tasks.outboxFor(agentId).filter((m) => m.kind === kind),
    (rows) => rows.length > 0 && rows.every((m) => m.status === 'sent'),
    30_000,
  );

beforeAll(async () => {
  api = await startTestApi();
  const saved = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `Messaging ${suffix}`, url: gatewayUrl, token: gatewayToken })
    .expect(200);
  gatewayId = saved.body.id as string;
  mainId = saved.body.main_agent_id as string;
  mainToken = await workspaceToken(`mc-gateway-${gatewayId}`);
  boardId = await board(`Messaging board ${suffix}`);
  const createdLead = await api
    .user('post', '/api/v1/agents')
    .send({ name: `Messaging lead ${suffix}`, board_id: boardId, is_board_lead: true })
    .expect(200);
  const leadKey = `lead-${boardId}`;
  lead = { id: createdLead.body.id as string, key: leadKey, token: await workspaceToken(leadKey) };
  const createdWorker = await api
    .user('post', '/api/v1/agents')
    .send({ name: `Messaging worker ${suffix}`, board_id: boardId })
    .expect(200);
  worker = { id: createdWorker.body.id as string, key: `mc-${createdWorker.body.id as string}` };
}, 120_000);

afterAll(async () => {
  // The gateway is shared by every integration file: take this file's agents off it.
  for (const id of boards) await api?.user('delete', `/api/v1/boards/${id}?force=true`).catch(() => undefined);
  await api?.user('delete', `/api/v1/gateways/${gatewayId}`).catch(() => undefined);
  await api?.stop();
}, 60_000);

describe('agent messaging reaches the target agent’s session on the real gateway', () => {
  it(
    'lead message: the main agent’s question (template shape) is a GATEWAY MAIN QUESTION turn of the board’s lead',
    { timeout: 90_000 },
    async () => {
      const marker = `triage-${suffix}`;
      const res = await api
        .agent(mainToken, 'post', `/api/v1/agent/gateway/boards/${boardId}/lead/message`)
        .send({ kind: 'question', correlation_id: `lead-msg-${suffix}`, content: `Please ${marker} the highest-priority blocker.` })
        .expect(200);
      expect(res.body).toMatchObject({ ok: true, board_id: boardId, lead_agent_id: lead.id, lead_created: false });
      const seen = await turnWith(lead.key, marker);
      expect(seen).toMatch(firstLine('GATEWAY MAIN QUESTION'));
      expect(seen).toContain(`Correlation ID: lead-msg-${suffix}`);
      await delivered(lead.id, 'gateway.main.lead_message');
      const activity = (
        await api.user('get', `/api/v1/activity?agent_id=${lead.id}&event_type=gateway.main.lead_message.notified`).expect(200)
      ).body;
      expect(activity.total).toBe(1);
    },
  );

  it('nudge: the lead’s nudge is a NUDGE FROM LEAD turn of the worker', { timeout: 90_000 }, async () => {
    const marker = `nudge-${suffix}`;
    await api
      .agent(lead.token, 'post', `/api/v1/agent/boards/${boardId}/agents/${worker.id}/nudge`)
      .send({ message: `Post your progress (${marker}).` })
      .expect(200);
    const seen = await turnWith(worker.key, marker);
    expect(seen).toMatch(firstLine('NUDGE FROM LEAD'));
    expect(seen).toContain(`From lead: Messaging lead ${suffix}`);
    await delivered(worker.id, 'agent.nudge');
  });

  it(
    'ask-user: the question is in the board chat and a LEAD REQUEST: ASK USER turn of the gateway main agent',
    { timeout: 90_000 },
    async () => {
      const marker = `budget-${suffix}`;
      const res = await api
        .agent(lead.token, 'post', `/api/v1/agent/boards/${boardId}/gateway/main/ask-user`)
        .send({ content: `Can we proceed with the ${marker} increase?`, correlation_id: `ask-user-${suffix}` })
        .expect(200);
      expect(res.body).toMatchObject({ ok: true, board_id: boardId, main_agent_id: mainId });
      const chat = (await api.user('get', `/api/v1/boards/${boardId}/memory?is_chat=true`).expect(200)).body.items as { content: string }[];
      expect(chat.some((m) => m.content.includes(marker))).toBe(true);
      const seen = await turnWith(`mc-gateway-${gatewayId}`, marker);
      expect(seen).toMatch(firstLine('LEAD REQUEST: ASK USER'));
      await delivered(mainId, 'gateway.lead.ask_user');
    },
  );

  it(
    'broadcast: every lead of the gateway gets the turn, including a lead created for a board that had none',
    { timeout: 120_000 },
    async () => {
      const leadless = await board(`Messaging leadless ${suffix}`);
      const marker = `incident-${suffix}`;
      const res = await api
        .agent(mainToken, 'post', '/api/v1/agent/gateway/leads/broadcast')
        .send({ kind: 'question', correlation_id: '<optional>', content: `Board-wide ${marker}: prioritize risk triage.` })
        .expect(200);
      expect(res.body).toMatchObject({ ok: true, sent: 2, failed: 0 });
      const created = (res.body.results as { board_id: string; lead_agent_id: string }[]).find((r) => r.board_id === leadless)!;
      expect(created.lead_agent_id).toBeTruthy();
      for (const key of [lead.key, `lead-${leadless}`]) expect(await turnWith(key, marker)).toMatch(firstLine('GATEWAY MAIN QUESTION'));
      await delivered(created.lead_agent_id, 'gateway.main.lead_broadcast');
      await delivered(lead.id, 'gateway.main.lead_broadcast');
    },
  );
});
