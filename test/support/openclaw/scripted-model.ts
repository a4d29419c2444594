import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentText, modelList, sendJson, writeError, writeJson, writeStream, type ChatMessage, type ModelOutput } from './openai-wire.js';

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
/*
 * A check-in behaviour: what an agent does with the "Check in first" command Mission Control puts in
 * its AGENTS.md. The command is read from each request's system prompt (AGENTS.md is injected on chat
 * and heartbeat turns alike) and run through the gateway's own `exec` tool, so the POST really reaches
 * Mission Control from the gateway host.
 */
export type CheckInBehaviour = 'obedient' | 'silent' | 'late' | 'stale';
export interface CheckInStep {
  type: 'checkIn';
  behaviour: CheckInBehaviour;
  /** late: this many turns (heartbeat or chat, tool-result follow-ups not counted) are ignored first. */
  ignoreTurns?: number;
  /** stale: sent as X-Agent-Token instead of the token written in AGENTS.md. */
  token?: string;
  /** The answer on chat turns (after the tool result when it checked in). Heartbeat turns answer NO_REPLY. */
  chatText?: string;
  delayMs?: number;
}
/*
 * A failing upstream: the model answers this agent's requests with an HTTP error (401 = the provider
 * refused our credentials, 500 = it broke). The gateway itself reports the failed run, so this is a
 * real upstream failure as the gateway sees it, not a fake gateway.
 */
export interface ModelErrorStep {
  type: 'modelError';
  status: number;
  /** The OpenAI-style error message in the body. */
  message?: string;
  delayMs?: number;
}
export type ScriptStep = ReplyStep | ToolCallStep | CheckInStep | ModelErrorStep;

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

/** Every request of the agent fails with HTTP `status` (401: model auth refused; 500: provider error). */
export const modelError = (status: number, options: { message?: string; delayMs?: number } = {}): ModelErrorStep => ({
  type: 'modelError',
  status,
  ...options,
});

export const CHECKED_IN_REPLY = 'Checked in with Mission Control.';
export const SILENT_CHAT_REPLY = 'Nothing to report.';

/** Check-in behaviours, for `setScript(agentId, checkIn.obedient())`; they apply to chat and heartbeat turns. */
export const checkIn = {
  /** Runs the check-in command from AGENTS.md on every turn. */
  obedient: (options: { chatText?: string; delayMs?: number } = {}): CheckInStep => ({
    type: 'checkIn',
    behaviour: 'obedient',
    ...options,
  }),
  /** Answers (NO_REPLY on heartbeats, a text on chat) and never checks in. */
  silent: (options: { chatText?: string; delayMs?: number } = {}): CheckInStep => ({ type: 'checkIn', behaviour: 'silent', ...options }),
  /** Silent for the first `ignoreTurns` turns, obedient afterwards. */
  late: (ignoreTurns: number, options: { chatText?: string; delayMs?: number } = {}): CheckInStep => ({
    type: 'checkIn',
    behaviour: 'late',
    ignoreTurns,
    ...options,
  }),
  /** Runs the check-in command with `token` in place of the one AGENTS.md holds (Mission Control answers 401). */
  stale: (token: string, options: { chatText?: string; delayMs?: number } = {}): CheckInStep => ({
    type: 'checkIn',
    behaviour: 'stale',
    token,
    ...options,
  }),
};

const defaultErrorMessage = (status: number): string =>
  status === 401 ? 'Incorrect API key provided: stub-****. (scripted model)' : `The server had an error (scripted model, HTTP ${status}).`;

/** A bare step scripts ordinary turns only (heartbeats keep answering NO_REPLY); a check-in behaviour or a model error scripts both. */
export function normalizeScript(script: ScriptStep | AgentScript): AgentScript {
  if (!('type' in script)) return script;
  return script.type === 'checkIn' || script.type === 'modelError' ? { turn: script, heartbeat: script } : { turn: script };
}

/*
 * The check-in command is the fenced block under AGENTS.md's "Check in first" heading (rendered by
 * backend/templates/render.ts `checkinCommand`): the first fenced block after a heading that mentions
 * checking in, else any fenced block that runs curl with an X-Agent-Token header. Nothing about the
 * URL or the token is assumed.
 */
const FENCED_BLOCK = /^[ \t]*```[^\n]*\n([\s\S]*?)^[ \t]*```/gm;
const CHECK_IN_HEADING = /^#{1,6}[^\n]*\bcheck[ -]?in\b/im;
const looksLikeCheckIn = (code: string): boolean => /\bcurl\b/.test(code) && /X-Agent-Token:/i.test(code);
const TOKEN_IN_COMMAND = /(X-Agent-Token:\s*)([^"'\s]+)/i;

export function findCheckInCommand(systemPrompt: string): string | null {
  const blocks = (text: string): string[] => [...text.matchAll(FENCED_BLOCK)].map((m) => (m[1] ?? '').trim());
  const heading = CHECK_IN_HEADING.exec(systemPrompt);
  const underHeading = heading ? blocks(systemPrompt.slice(heading.index))[0] : undefined;
  if (underHeading && looksLikeCheckIn(underHeading)) return underHeading;
  return blocks(systemPrompt).find(looksLikeCheckIn) ?? null;
}

/** The token the command sends, or null. */
export const tokenInCommand = (command: string): string | null => TOKEN_IN_COMMAND.exec(command)?.[2] ?? null;
export const withToken = (command: string, token: string): string =>
  command.replace(TOKEN_IN_COMMAND, (_m, header: string) => header + token);

export interface ToolDefinition {
  type?: string;
  function?: { name?: string; description?: string; parameters?: { properties?: Record<string, { type?: unknown }>; required?: string[] } };
}

/**
 * The gateway's shell tool as the request advertises it: `exec`, and the argument that carries the
 * command (`command` in 2026.9.6; otherwise the first required string parameter).
 */
export function execToolShape(tools: ToolDefinition[] | undefined): { name: string; argument: string } | null {
  const exec = (tools ?? []).find((t) => t.function?.name === 'exec')?.function;
  if (!exec) return null;
  const properties = exec.parameters?.properties ?? {};
  if (properties.command) return { name: 'exec', argument: 'command' };
  const isString = (name: string) => properties[name]?.type === 'string';
  const argument = (exec.parameters?.required ?? []).find(isString) ?? Object.keys(properties).find(isString);
  return argument ? { name: 'exec', argument } : null;
}

/** What a check-in behaviour did with one request. */
export interface CheckInRecord {
  behaviour: CheckInBehaviour;
  /** 1-based turn number under this behaviour for this agent (tool-result follow-ups share their turn's number). */
  turn: number;
  /** The response is an exec tool call running the check-in command. */
  issued: boolean;
  /** The command run (issued), or the one found in the system prompt. */
  command?: string;
  /** The tool call issued: the gateway's tool name and the argument that carries the command. */
  tool?: { name: string; argument: string };
  /** Why no check-in was issued: a silent/late turn, nothing to run, or this request carries the tool result. */
  reason?: 'silent' | 'late' | 'no-command' | 'no-exec-tool' | 'tool-result';
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
  /** Set when a check-in behaviour answered this request. */
  checkIn?: CheckInRecord;
}

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
