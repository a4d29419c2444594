import type { ModelOutput } from './openai-wire.js';

/*
 * What a scripted agent's model does: the script steps tests write (plain JSON, since they cross the
 * /__control endpoints), the check-in command found in the system prompt, what each request was, and
 * which agent a request belongs to. The loopback server that plays them is scripted-model.ts.
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

export const defaultErrorMessage = (status: number): string =>
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
export const HEARTBEAT_MARKER = /Follow the heartbeat monitor scratch context|\[OpenClaw heartbeat poll\]/;

/** `userTexts` newest first; the system prompt is only the fallback. */
export function identifyAgent(userTexts: string[], systemPrompt: string): string {
  for (const text of userTexts) {
    const match = RUNTIME_MARKER.exec(text);
    if (match?.[1]) return match[1];
  }
  return WORKSPACE_MARKER.exec(systemPrompt)?.[1] ?? UNKNOWN_AGENT;
}
