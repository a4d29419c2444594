import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectRaw, rawRpc, type RawConnection, type RawEvent } from '../support/openclaw/gateway.js';
import { modelControl, reply, toolCall } from '../support/openclaw/model-control.js';

/*
 * Proves the harness against the real openclaw gateway: if this file fails, every other integration
 * test would fail for reasons that have nothing to do with Mission Control.
 */

const gatewayUrl = inject('gatewayUrl');
const token = inject('gatewayToken');
const model = modelControl(inject('modelUrl'));
const rpc = <T>(method: string, params: unknown = {}): Promise<T> => rawRpc<T>(gatewayUrl, token, method, params);

interface AgentsList {
  agents: { id: string; name: string; workspace: string }[];
}
interface ChatPayload {
  runId: string;
  state: string;
  message?: { content: { type: string; text?: string }[] };
}

/** Polls until `read` returns a truthy value: config changes apply by hot reload, ~0.5–0.8 s later. */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const finalOf = (runId: string) => (e: RawEvent) =>
  e.event === 'chat' && (e.payload as ChatPayload).runId === runId && (e.payload as ChatPayload).state === 'final';
const textOf = (e: RawEvent): string => ((e.payload as ChatPayload).message?.content ?? []).map((part) => part.text ?? '').join('');

describe('real openclaw gateway harness', () => {
  const suffix = randomBytes(3).toString('hex');
  let conn: RawConnection;
  let agentId: string | undefined;
  let workspace = '';

  beforeAll(async () => {
    conn = await connectRaw(gatewayUrl, token);
  });
  afterAll(async () => {
    // Safety net when a test failed before the delete test ran; the gateway is shared by all files.
    if (agentId) await rpc('agents.delete', { agentId, deleteFiles: true }).catch(() => undefined);
    await conn?.close();
  });

  it('answers connect with hello-ok, protocol 4, a CalVer version and the scopes it asked for', () => {
    const hello = conn.hello as { type: string; protocol: number; server: { version: string }; auth: { scopes: string[] } };
    expect(hello.type).toBe('hello-ok');
    expect(hello.protocol).toBe(4);
    expect(hello.server.version).toMatch(/^\d{4}\.\d{1,2}\.\d{1,2}$/);
    expect(hello.auth.scopes).toEqual(expect.arrayContaining(['operator.read', 'operator.write', 'operator.admin']));
  });

  it('creates an agent that shows up in agents.list after the hot reload', async () => {
    const created = await rpc<{ ok: boolean; agentId: string; workspace: string }>('agents.create', { name: `Harness ${suffix}` });
    expect(created).toMatchObject({ ok: true, agentId: `harness-${suffix}` });
    agentId = created.agentId;
    const listed = await eventually(async () => (await rpc<AgentsList>('agents.list')).agents.find((a) => a.id === agentId));
    expect(listed.workspace).toBe(created.workspace);
    workspace = listed.workspace;
  });

  it('runs a chat turn on the scripted model and delivers its reply as the chat final event', { timeout: 90_000 }, async () => {
    const id = agentId!;
    const text = `scripted hello ${suffix}`;
    await model.setScript(id, reply(text));
    const sent = await conn.request<{ runId: string; status: string }>('chat.send', {
      sessionKey: `agent:${id}:main`,
      message: 'say hello',
      idempotencyKey: `harness-chat-${suffix}`,
    });
    expect(sent.status).toBe('started');
    const final = await conn.waitForEvent(finalOf(sent.runId), 80_000);
    expect(textOf(final)).toBe(text);

    // The model saw the turn under this agent's id. Both markers the scripted model relies on are
    // pinned here, so an openclaw upgrade that changes the prompt shape fails loudly in this file.
    const [request] = await model.requests(id);
    expect(request).toMatchObject({ agentId: id, heartbeat: false, afterTool: false, stream: true });
    expect(request!.userTexts.join('\n')).toContain('say hello');
    expect(request!.userTexts.join('\n')).toMatch(new RegExp(`^Runtime: .*\\bagent=${id} \\|`, 'm'));
    expect(request!.systemPrompt).toContain(`Working directory: ${workspace}\n`);
    expect(request!.toolNames).toContain('write');
  });

  it('executes a scripted write tool call that really writes into the agent workspace', { timeout: 60_000 }, async () => {
    const id = agentId!;
    const content = `written by the scripted model ${suffix}\n`;
    await model.setScript(id, toolCall('write', { path: 'MEMORY.md', content }, { finalText: 'memory saved' }));
    const sent = await conn.request<{ runId: string }>('chat.send', {
      sessionKey: `agent:${id}:main`,
      message: 'remember this',
      idempotencyKey: `harness-tool-${suffix}`,
    });
    const final = await conn.waitForEvent(finalOf(sent.runId), 50_000);
    expect(textOf(final)).toBe('memory saved');

    const file = await rpc<{ file: { missing: boolean; content: string } }>('agents.files.get', { agentId: id, name: 'MEMORY.md' });
    expect(file.file).toMatchObject({ missing: false, content });
    expect(readFileSync(join(workspace, 'MEMORY.md'), 'utf8')).toBe(content);
    const afterTool = (await model.requests(id)).filter((r) => r.afterTool);
    expect(afterTool).toHaveLength(1);
    expect(afterTool[0]!.toolResults.join('\n')).toMatch(/wrote/i);
  });

  it('answers a wake (heartbeat turn) with NO_REPLY by default', { timeout: 60_000 }, async () => {
    const id = agentId!;
    const since = conn.events.length;
    await conn.request('wake', { mode: 'now', text: `harness wake ${suffix}`, agentId: id, sessionKey: `agent:${id}:main` });
    const beat = await conn.waitForEvent((e) => e.event === 'heartbeat' && conn.events.indexOf(e) >= since, 50_000);
    expect(beat.payload).toMatchObject({ status: 'ok-empty', reason: 'wake' });
    const heartbeats = await model.waitForRequests(id, (r) => r.heartbeat);
    expect(heartbeats[0]!.response).toEqual({ kind: 'text', text: 'NO_REPLY' });
  });

  it('deletes the agent and its files', async () => {
    const id = agentId!;
    await expect(rpc('agents.delete', { agentId: id, deleteFiles: true })).resolves.toMatchObject({ ok: true, agentId: id });
    agentId = undefined;
    await eventually(async () => !(await rpc<AgentsList>('agents.list')).agents.some((a) => a.id === id));
    expect(existsSync(workspace)).toBe(false);
  });
});
