import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentText, modelList, sendJson, writeJson, writeStream, type ChatMessage, type ModelOutput } from './openai-wire.js';

/*
 * A loopback OpenAI-compatible model the gateway talks to instead of a real LLM, so agent turns are
 * deterministic. Tests script it per agent. Scripts are plain JSON because the server runs in vitest's
 * global-setup process and test files reach it over the /__control endpoints (see model-control.ts).
 */

export const DEFAULT_REPLY = 'STUB-REPLY';
export const HEARTBEAT_DEFAULT_REPLY = 'NO_REPLY';
/** Requests in which no agent marker was found are logged under this id. */
export const UNKNOWN_AGENT = 'unknown';

export interface ReplyStep {
  type: 'reply';
  text: string;
  /** Hold the response this long first (a "late" agent). */
  delayMs?: number;
}
export interface ToolCallStep {
  type: 'toolCall';
  name: string;
  /** JSON text of the tool arguments, exactly as a model would emit it. */
  arguments: string;
  /** The text answered once the gateway sends the tool result back. */
  finalText?: string;
  delayMs?: number;
}
export type ScriptStep = ReplyStep | ToolCallStep;

/** What the agent's model does on ordinary turns and on heartbeat turns. */
export interface AgentScript {
  turn?: ScriptStep;
  heartbeat?: ScriptStep;
}

export const reply = (text: string, options: { delayMs?: number } = {}): ReplyStep => ({ type: 'reply', text, ...options });
export const toolCall = (name: string, args: string | object, options: { finalText?: string; delayMs?: number } = {}): ToolCallStep => ({
  type: 'toolCall',
  name,
  arguments: typeof args === 'string' ? args : JSON.stringify(args),
  ...options,
});

/** A bare step scripts ordinary turns only; heartbeats keep answering NO_REPLY. */
export function normalizeScript(script: ScriptStep | AgentScript): AgentScript {
  return 'type' in script ? { turn: script } : script;
}

export interface ModelRequest {
  at: number;
  agentId: string;
  heartbeat: boolean;
  /** True when this request carries the result of a tool call this model made. */
  afterTool: boolean;
  stream: boolean;
  /** Texts of the user messages after the last assistant message (the gateway splits one turn into several). */
  userTexts: string[];
  toolResults: string[];
  systemPrompt: string;
  toolNames: string[];
  response: ModelOutput;
}

export interface ScriptedModel {
  /** Origin, e.g. http://127.0.0.1:40123 (the OpenAI base URL is `${url}/v1`). */
  url: string;
  port: number;
  setScript(agentId: string, script: ScriptStep | AgentScript | null): void;
  requests(agentId: string): ModelRequest[];
  reset(): void;
  stop(): Promise<void>;
}

/*
 * Verified on 2026.9.6: the first user message of a session (chat or heartbeat) ends with a line
 * `Runtime: name=<name> | agent=<id> | session=agent:<id>:main | … | repo=<workspace> | …`. Later turns
 * do not repeat it, but the gateway replays the session history, so it is searched newest first.
 * Fallback: the ~40–50 KB system prompt's `Working directory: <state>/workspace-<id>` (only the default
 * workspace name carries the id). The Runtime line is anchored so that an `agent=` inside AGENTS.md
 * (say, a check-in URL) cannot be mistaken for it.
 */
const RUNTIME_MARKER = /^Runtime: [^\n]*?\bagent=([A-Za-z0-9][A-Za-z0-9_-]*)/m;
const WORKSPACE_MARKER = /^Working directory: [^\n]*[/\\]workspace-([A-Za-z0-9][A-Za-z0-9_-]*)\s*$/m;
const HEARTBEAT_MARKER = /Follow the heartbeat monitor scratch context|\[OpenClaw heartbeat poll\]/;

/** `userTexts` newest first; the system prompt is only the fallback. */
export function identifyAgent(userTexts: string[], systemPrompt: string): string {
  for (const text of userTexts) {
    const match = RUNTIME_MARKER.exec(text);
    if (match?.[1]) return match[1];
  }
  return WORKSPACE_MARKER.exec(systemPrompt)?.[1] ?? UNKNOWN_AGENT;
}

/** The gateway rewrites tool-call ids before echoing them back (`call_stub_1` came back as `callstub1`). */
const normalizeCallId = (id: string): string => id.replace(/[^A-Za-z0-9]/g, '');

interface CompletionBody {
  messages?: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { function?: { name?: string } }[];
}

export async function startScriptedModel(): Promise<ScriptedModel> {
  const scripts = new Map<string, AgentScript>();
  const log = new Map<string, ModelRequest[]>();
  // Tool-call ids this model issued → the step that issued them, to answer the follow-up request.
  const issued = new Map<string, { step: ToolCallStep; heartbeat: boolean }>();
  let callCounter = 0;

  function decide(body: CompletionBody): ModelRequest {
    const messages = body.messages ?? [];
    const systemPrompt = messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => contentText(m.content))
      .join('\n');
    const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
    const tail = messages.slice(lastAssistant + 1);
    const userTexts = tail.filter((m) => m.role === 'user').map((m) => contentText(m.content));
    const toolMessages = tail.filter((m) => m.role === 'tool');
    const userNewestFirst = messages
      .filter((m) => m.role === 'user')
      .map((m) => contentText(m.content))
      .reverse();
    const agentId = identifyAgent(userNewestFirst, systemPrompt);
    const origin = toolMessages.map((m) => issued.get(normalizeCallId(m.tool_call_id ?? ''))).find((x) => x !== undefined);
    // A tool result means this turn's step already ran; answering it with another call would loop forever.
    const afterTool = toolMessages.length > 0;
    const heartbeat = origin?.heartbeat ?? userTexts.some((t) => HEARTBEAT_MARKER.test(t));
    const script = scripts.get(agentId);
    const step = heartbeat ? (script?.heartbeat ?? reply(HEARTBEAT_DEFAULT_REPLY)) : (script?.turn ?? reply(DEFAULT_REPLY));

    let response: ModelOutput;
    if (afterTool) {
      const finalText = origin?.step.finalText ?? (step.type === 'toolCall' ? step.finalText : undefined);
      response = { kind: 'text', text: finalText ?? DEFAULT_REPLY };
    } else if (step.type === 'reply') {
      response = { kind: 'text', text: step.text };
    } else {
      const id = `call${++callCounter}stub`;
      issued.set(normalizeCallId(id), { step, heartbeat });
      response = { kind: 'tool', id, name: step.name, arguments: step.arguments };
    }
    return {
      at: Date.now(),
      agentId,
      heartbeat,
      afterTool,
      stream: body.stream === true,
      userTexts,
      toolResults: toolMessages.map((m) => contentText(m.content)),
      systemPrompt,
      toolNames: (body.tools ?? []).map((t) => t.function?.name ?? '').filter(Boolean),
      response,
    };
  }

  function delayFor(request: ModelRequest): number {
    if (request.afterTool) return 0;
    const script = scripts.get(request.agentId);
    return (request.heartbeat ? script?.heartbeat?.delayMs : script?.turn?.delayMs) ?? 0;
  }

  async function handleCompletion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as CompletionBody;
    const request = decide(body);
    const entries = log.get(request.agentId) ?? [];
    entries.push(request);
    log.set(request.agentId, entries);
    const delay = delayFor(request);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (request.stream) writeStream(res, request.response, body.stream_options?.include_usage === true);
    else writeJson(res, request.response);
  }

  const model: Omit<ScriptedModel, 'url' | 'port' | 'stop'> = {
    setScript(agentId, script) {
      if (script) scripts.set(agentId, normalizeScript(script));
      else scripts.delete(agentId);
    },
    requests: (agentId) => [...(log.get(agentId) ?? [])],
    reset() {
      scripts.clear();
      log.clear();
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    const handled = (async () => {
      if (route === 'POST /v1/chat/completions') return handleCompletion(req, res);
      if (route === 'GET /v1/models') return sendJson(res, 200, modelList());
      if (route === 'POST /__control/script') {
        const { agentId, script } = (await readJson(req)) as { agentId?: unknown; script?: ScriptStep | AgentScript | null };
        if (typeof agentId !== 'string' || !agentId) return sendJson(res, 400, { error: 'agentId required' });
        model.setScript(agentId, script ?? null);
        return sendJson(res, 200, { ok: true });
      }
      if (route === 'GET /__control/requests') return sendJson(res, 200, model.requests(url.searchParams.get('agent') ?? UNKNOWN_AGENT));
      if (route === 'POST /__control/reset') {
        model.reset();
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: `no route ${route}` });
    })();
    handled.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 400, { error: String(error) });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    ...model,
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The gateway keeps HTTP connections alive; without this close() waits for them to idle out.
        server.closeAllConnections();
      })),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}
