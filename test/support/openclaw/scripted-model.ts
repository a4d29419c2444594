import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentText, modelList, sendJson, writeError, writeJson, writeStream, type ChatMessage, type ModelOutput } from './openai-wire.js';
import type { CheckInStep, ScriptStep, AgentScript, ToolDefinition, CheckInRecord, ModelRequest } from './model-script.js';
import {
  DEFAULT_REPLY,
  HEARTBEAT_DEFAULT_REPLY,
  UNKNOWN_AGENT,
  reply,
  CHECKED_IN_REPLY,
  SILENT_CHAT_REPLY,
  defaultErrorMessage,
  normalizeScript,
  findCheckInCommand,
  withToken,
  execToolShape,
  HEARTBEAT_MARKER,
  identifyAgent,
} from './model-script.js';

/*
 * A loopback OpenAI-compatible model the gateway talks to instead of a real LLM, so agent turns are
 * deterministic. Tests script it per agent. Scripts are plain JSON because the server runs in vitest's
 * global-setup process and test files reach it over the /__control endpoints (see model-control.ts).
 */

export * from './model-script.js';

export interface ScriptedModel {
  /** Origin, e.g. http://127.0.0.1:40123 (the OpenAI base URL is `${url}/v1`). */
  url: string;
  port: number;
  setScript(agentId: string, script: ScriptStep | AgentScript | null): void;
  /**
   * Scripts every agent whose id matches `pattern` (a RegExp source) and has no script of its own; the
   * latest matching pattern wins. For agents whose gateway id is only known once they exist
   * (Mission Control names workers `mc-<uuid>` and wakes them on creation). null removes the pattern.
   */
  setPatternScript(pattern: string, script: ScriptStep | AgentScript | null, flags?: string): void;
  requests(agentId: string): ModelRequest[];
  reset(): void;
  stop(): Promise<void>;
}

/** The gateway rewrites tool-call ids before echoing them back (`call_stub_1` came back as `callstub1`). */
const normalizeCallId = (id: string): string => id.replace(/[^A-Za-z0-9]/g, '');

interface CompletionBody {
  messages?: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: ToolDefinition[];
}

interface IssuedCall {
  heartbeat: boolean;
  finalText?: string;
  checkIn?: CheckInRecord;
}

export async function startScriptedModel(): Promise<ScriptedModel> {
  const scripts = new Map<string, AgentScript>();
  const patterns: { source: string; flags: string; regex: RegExp; script: AgentScript }[] = [];
  const log = new Map<string, ModelRequest[]>();
  // Tool-call ids this model issued → what to answer once the gateway sends the tool result back.
  const issued = new Map<string, IssuedCall>();
  // Turns each agent has had under its current script (a new script object starts again at 0).
  const turns = new Map<string, { script: AgentScript; count: number }>();
  let callCounter = 0;

  const scriptFor = (agentId: string): AgentScript | undefined =>
    scripts.get(agentId) ?? patterns.findLast((p) => p.regex.test(agentId))?.script;

  function nextTurn(agentId: string, script: AgentScript): number {
    const current = turns.get(agentId);
    const count = current?.script === script ? current.count + 1 : 1;
    turns.set(agentId, { script, count });
    return count;
  }

  function issueCall(name: string, args: string, call: IssuedCall): ModelOutput {
    const id = `call${++callCounter}stub`;
    issued.set(normalizeCallId(id), call);
    return { kind: 'tool', id, name, arguments: args };
  }

  function runCheckIn(
    step: CheckInStep,
    context: { agentId: string; script: AgentScript; heartbeat: boolean; systemPrompt: string; tools: ToolDefinition[] | undefined },
  ): { response: ModelOutput; checkIn: CheckInRecord } {
    const turn = nextTurn(context.agentId, context.script);
    const finalText = context.heartbeat ? HEARTBEAT_DEFAULT_REPLY : (step.chatText ?? CHECKED_IN_REPLY);
    const answer = (reason: CheckInRecord['reason'], command?: string) => ({
      response: { kind: 'text', text: context.heartbeat ? HEARTBEAT_DEFAULT_REPLY : (step.chatText ?? SILENT_CHAT_REPLY) } as ModelOutput,
      checkIn: { behaviour: step.behaviour, turn, issued: false, reason, ...(command === undefined ? {} : { command }) },
    });
    if (step.behaviour === 'silent') return answer('silent');
    if (step.behaviour === 'late' && turn <= (step.ignoreTurns ?? 0)) return answer('late');
    const found = findCheckInCommand(context.systemPrompt);
    if (!found) return answer('no-command');
    const exec = execToolShape(context.tools);
    if (!exec) return answer('no-exec-tool', found);
    const command = step.behaviour === 'stale' && step.token !== undefined ? withToken(found, step.token) : found;
    const record: CheckInRecord = { behaviour: step.behaviour, turn, issued: true, command, tool: exec };
    const response = issueCall(exec.name, JSON.stringify({ [exec.argument]: command }), {
      heartbeat: context.heartbeat,
      finalText,
      checkIn: record,
    });
    return { response, checkIn: record };
  }

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
    const script = scriptFor(agentId);
    const step = heartbeat ? (script?.heartbeat ?? reply(HEARTBEAT_DEFAULT_REPLY)) : (script?.turn ?? reply(DEFAULT_REPLY));

    let response: ModelOutput;
    let checkInRecord: CheckInRecord | undefined;
    if (afterTool) {
      const finalText =
        origin?.finalText ??
        (step.type === 'toolCall'
          ? step.finalText
          : step.type === 'checkIn'
            ? heartbeat
              ? HEARTBEAT_DEFAULT_REPLY
              : (step.chatText ?? CHECKED_IN_REPLY)
            : undefined);
      response = { kind: 'text', text: finalText ?? DEFAULT_REPLY };
      if (origin?.checkIn) checkInRecord = { ...origin.checkIn, issued: false, reason: 'tool-result' };
    } else if (step.type === 'reply') {
      response = { kind: 'text', text: step.text };
    } else if (step.type === 'modelError') {
      response = { kind: 'error', status: step.status, message: step.message ?? defaultErrorMessage(step.status) };
    } else if (step.type === 'toolCall') {
      response = issueCall(step.name, step.arguments, {
        heartbeat,
        ...(step.finalText === undefined ? {} : { finalText: step.finalText }),
      });
    } else {
      // A check-in step is only ever picked from a script, so `script` is set here.
      ({ response, checkIn: checkInRecord } = runCheckIn(step, { agentId, script: script!, heartbeat, systemPrompt, tools: body.tools }));
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
      ...(checkInRecord ? { checkIn: checkInRecord } : {}),
    };
  }

  function delayFor(request: ModelRequest): number {
    if (request.afterTool) return 0;
    const script = scriptFor(request.agentId);
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
    if (request.response.kind === 'error') writeError(res, request.response);
    else if (request.stream) writeStream(res, request.response, body.stream_options?.include_usage === true);
    else writeJson(res, request.response);
  }

  const model: Omit<ScriptedModel, 'url' | 'port' | 'stop'> = {
    setScript(agentId, script) {
      if (script) scripts.set(agentId, normalizeScript(script));
      else scripts.delete(agentId);
    },
    setPatternScript(pattern, script, flags = '') {
      const regex = new RegExp(pattern, flags.replace(/[gy]/g, '')); // a stateful regex would skip matches
      const at = patterns.findIndex((p) => p.source === pattern && p.flags === flags);
      if (at >= 0) patterns.splice(at, 1);
      if (script) patterns.push({ source: pattern, flags, regex, script: normalizeScript(script) });
    },
    requests: (agentId) => [...(log.get(agentId) ?? [])],
    reset() {
      scripts.clear();
      patterns.length = 0;
      turns.clear();
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
      if (route === 'POST /__control/pattern') {
        const { pattern, flags, script } = (await readJson(req)) as {
          pattern?: unknown;
          flags?: unknown;
          script?: ScriptStep | AgentScript | null;
        };
        if (typeof pattern !== 'string' || !pattern) return sendJson(res, 400, { error: 'pattern required' });
        model.setPatternScript(pattern, script ?? null, typeof flags === 'string' ? flags : '');
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
