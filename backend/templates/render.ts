import type HandlebarsModule from 'handlebars';
import { onFirstUse } from '../core/on-first-use.js';
import { readFileSync } from 'node:fs';
import { resolveAppPath } from '../app-paths.js';

/*
 * Workspace files from the top-level templates/ folder (Handlebars, strict: a missing variable is
 * an error, never an empty line in an agent's instructions). Markdown, so nothing is HTML-escaped.
 */

export const WORKSPACE_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'BOOTSTRAP.md', 'MEMORY.md'] as const;
export type WorkspaceFile = (typeof WORKSPACE_FILES)[number];

/** Files the agent itself may change; an update keeps them unless asked to overwrite. */
export const PRESERVED_FILES: readonly WorkspaceFile[] = ['USER.md', 'MEMORY.md'];

/** The gateway injects at most this many characters of one workspace file into the prompt. */
export const MAX_FILE_CHARS = 20_000;

export type AgentRole = 'main' | 'lead' | 'worker';

export interface TemplateContext {
  agent_name: string;
  agent_id: string;
  board_id: string;
  board_name: string;
  board_objective: string;
  role: AgentRole;
  base_url: string;
  auth_token: string;
  session_key: string;
  checkin_deadline_seconds: number;
  max_wake_attempts: number;
  user_name: string;
  identity: { role: string; communication_style: string; emoji: string };
  rules: {
    require_approval_for_done: string;
    require_review_before_done: string;
    comment_required_for_review: string;
    max_agents: number;
  };
}

const ROLE_LINE: Record<AgentRole, string> = {
  main: 'the main agent of this OpenClaw gateway',
  lead: 'the lead agent of a Mission Control board',
  worker: 'a worker agent on a Mission Control board',
};
const ROLE_TAG: Record<AgentRole, string> = { main: 'agent-main', lead: 'agent-lead', worker: 'agent-worker' };

/**
 * The command agents run to check in (also what the doctor and the scripted test model look for).
 * It exits 0 whatever the answer: what the agent needs is the answer's body, which says why a check-in
 * was refused ("token rotated …"); `-f` would swap that for curl's bare "returned error: 401", and
 * `--fail-with-body` (both) needs curl ≥ 7.76, which older gateway hosts lack. Changing it also puts
 * every provisioned agent into template drift until a sync.
 */
export const checkinCommand = (baseUrl: string, token: string) =>
  `curl -s -X POST ${baseUrl}/api/v1/agent/heartbeat -H "X-Agent-Token: ${token}"`;

/*
 * Linear on any input (this reads agent-written AGENTS.md): anchored at line starts, and every
 * quantifier is followed by a character it cannot match, so a line that fails costs time linear in its length.
 *
 * The token line our AGENTS.md template writes is `- AUTH_TOKEN=<token>`. The reader also accepts the
 * web edition's TOOLS.md form (``- `AUTH_TOKEN=<token>` ``, which its own regex never matched), a
 * shell form (`export AUTH_TOKEN='<token>'`, spaces around `=`), a quoted value (the quotes are not
 * part of the token), CRLF line ends and surrounding spaces, so a file edited by hand is still read.
 */
const TOKEN_LINE = /^[ \t]*(?:[-*][ \t]+)?`?(?:export[ \t]+)?AUTH_TOKEN[ \t]*=[ \t]*(["']?)([^\s`"']+)\1`?[ \t]*\r?$/m;

/** Reads the token back from a rendered AGENTS.md (the line `- AUTH_TOKEN=<token>`), or null. */
export function tokenFromAgentsFile(content: string): string | null {
  return TOKEN_LINE.exec(content)?.[2] ?? null;
}

// Redaction lives in its own module (linear scanners; the drift worker loads it without Handlebars).
export { REDACTED, redactTokens } from './redact.js';

const compiled = new Map<string, HandlebarsTemplateDelegate>();
// Handlebars (≈ 45 CommonJS files with its source-map dependency) is loaded on the first render, not
// when the backend starts: nothing renders before the first request is answered (docs/performance.md,
// "Backend cold start").
const loadHandlebars = onFirstUse<typeof HandlebarsModule>('handlebars');
let instance: ReturnType<typeof HandlebarsModule.create> | undefined;
const handlebars = () => (instance ??= loadHandlebars().create());

function compile(source: string, key: string): HandlebarsTemplateDelegate {
  let template = key ? compiled.get(key) : undefined;
  if (!template) {
    template = handlebars().compile(source, { strict: true, noEscape: true });
    if (key) compiled.set(key, template);
  }
  return template;
}

function renderSource(source: string, context: TemplateContext, key: string): string {
  const view = {
    ...context,
    role_line: ROLE_LINE[context.role],
    role_tag: ROLE_TAG[context.role],
    is_main: context.role === 'main',
    is_lead: context.role === 'lead',
    is_worker: context.role === 'worker',
    checkin_command: checkinCommand(context.base_url, context.auth_token),
  };
  const text =
    compile(
      source,
      key,
    )(view)
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n';
  if (text.length > MAX_FILE_CHARS)
    throw new Error(`${key || 'custom template'} renders to ${text.length} characters; the gateway injects at most ${MAX_FILE_CHARS}`);
  return text;
}

export function renderTemplate(name: WorkspaceFile | 'HEARTBEAT.md', context: TemplateContext): string {
  return renderSource(readFileSync(resolveAppPath('templates', `${name}.hbs`), 'utf8'), context, name);
}

/** An agent's own soul/identity template (stored on the agent), rendered with the same strict context. */
export function renderCustom(source: string, context: TemplateContext): string {
  return renderSource(source, context, '');
}

/** Every workspace file for an agent; `bootstrap` adds BOOTSTRAP.md (first provisioning). */
export function renderWorkspace(
  context: TemplateContext,
  options: { bootstrap: boolean; soulTemplate?: string | null; identityTemplate?: string | null },
): Map<WorkspaceFile, string> {
  const files = new Map<WorkspaceFile, string>();
  for (const name of WORKSPACE_FILES) {
    if (name === 'BOOTSTRAP.md' && !options.bootstrap) continue;
    if (name === 'SOUL.md' && options.soulTemplate) files.set(name, renderCustom(options.soulTemplate, context));
    else if (name === 'IDENTITY.md' && options.identityTemplate) files.set(name, renderCustom(options.identityTemplate, context));
    else files.set(name, renderTemplate(name, context));
  }
  return files;
}
