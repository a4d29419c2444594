import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, type TestApi } from '../support/api.js';

/*
 * The walk of the web edition's agent routes (#16): each route of its agent router, with a body taken
 * from its schemas (test/api/fixtures/web-edition-agent-routes.json), sent to this app as the agent the
 * web edition would expect to call it; the answers make the table in docs/compatibility.md.
 */

type Role = 'none' | 'worker' | 'lead' | 'main';
interface RouteCase {
  id: string;
  method: string;
  path: string;
  query?: string;
  as: Role;
  body?: unknown;
  keys?: string[];
  page?: boolean;
  array?: boolean;
  string?: boolean;
  check?: 'openapi_hints';
  needs_gateway?: boolean;
  expect?: Record<string, unknown>;
  what?: string;
  /** Trust probes: the status the refusal must have, and why it stays refused. */
  status?: number;
  why?: string;
}
interface CurlCase {
  at: string;
  as: Role;
  command: string;
}
interface DiscoveryCase {
  at: string;
  role_tag: string;
  command: string;
}

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
export const ROUTE_FIXTURE = load<{ routes: RouteCase[]; leniency: RouteCase[]; trust: RouteCase[] }>('web-edition-agent-routes.json');
export const CURL_FIXTURE = load<{ curls: CurlCase[]; discovery: DiscoveryCase[] }>('web-edition-template-curls.json');

export type Verdict = 'compatible' | 'partial' | 'missing' | 'refused' | 'NOT refused';
export interface WalkRow {
  method: string;
  path: string;
  verdict: Verdict;
  reason: string;
}

interface World {
  vars: Record<string, string>;
  tokens: Record<Exclude<Role, 'none'>, string>;
  agentName: string;
  operations: Set<string>;
}

/** The board, its lead and workers, a task, the gateway's main agent: what the web edition's routes name. */
export async function buildWorld(api: TestApi): Promise<World> {
  const f = fixtures(api);
  const gateway = await f.gateway();
  const board = await f.board({ gateway_id: gateway.id, max_agents: 10 });
  const lead = await f.agent(board.id, { is_board_lead: true });
  const worker = await f.agent(board.id);
  const doomedAgent = await f.agent(board.id);
  const mainToken = await f.tokenFor(gateway.main_agent_id);
  const task = (
    await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Release notes', assigned_agent_id: worker.id }).expect(200)
  ).body as { id: string };
  const doomedTask = (await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Obsolete' }).expect(200)).body as {
    id: string;
  };
  // Something to read on each list route, so the walk checks its fields.
  await api
    .user('post', '/api/v1/tags')
    .send({ name: f.unique('Release') })
    .expect(200);
  await api
    .user('post', `/api/v1/boards/${board.id}/memory`)
    .send({ content: 'Context: releases ship on Fridays.', tags: ['context'] })
    .expect(200);
  await api
    .user('post', `/api/v1/boards/${board.id}/approvals`)
    .send({ action_type: 'deploy', confidence: 70, lead_reasoning: 'Needs a human.' })
    .expect(200);
  const webhook = await storeWebhookPayload(api, board.id);
  const doc = (await api.raw().get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
  const operations = new Set(
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)),
  );
  return {
    vars: {
      board_id: board.id,
      worker_id: worker.id,
      lead_id: lead.id,
      task_id: task.id,
      doomed_task_id: doomedTask.id,
      doomed_agent_id: doomedAgent.id,
      webhook_id: webhook.webhook_id,
      payload_id: webhook.payload_id,
    },
    tokens: { worker: worker.token, lead: lead.token, main: mainToken },
    agentName: worker.name,
    operations,
  };
}

/** An inbound payload through the user's webhook routes, when this app has them (placeholders otherwise). */
async function storeWebhookPayload(api: TestApi, boardId: string) {
  const absent = { webhook_id: '00000000-0000-4000-8000-000000000001', payload_id: '00000000-0000-4000-8000-000000000002' };
  const created = await api.user('post', `/api/v1/boards/${boardId}/webhooks`).send({ description: 'CI results' });
  if (created.status !== 200) return absent;
  const webhookId = (created.body as { id: string }).id;
  const ingest = await api.raw().post(`/api/v1/boards/${boardId}/webhooks/${webhookId}`).send({ build: 'green', run: 42 });
  if (ingest.status !== 202) return absent;
  return { webhook_id: webhookId, payload_id: (ingest.body as { payload_id: string }).payload_id };
}

const fill = (text: string, vars: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
const fillDeep = (value: unknown, vars: Record<string, string>): unknown =>
  typeof value === 'string'
    ? fill(value, vars)
    : Array.isArray(value)
      ? value.map((v) => fillDeep(v, vars))
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, vars)]))
        : value;

async function send(api: TestApi, world: World, c: RouteCase) {
  const method = c.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  const url = fill(c.path, world.vars) + (c.query ? `?${fill(c.query, world.vars)}` : '');
  let req = api.raw()[method](url);
  if (c.as !== 'none') req = req.set('X-Agent-Token', world.tokens[c.as]);
  if (c.body !== undefined) req = req.send(fillDeep(c.body, world.vars) as object);
  return req;
}

/** The first field path and message of a 4xx, as the reason a route is only partly compatible. */
function refusal(status: number, body: { detail?: unknown; code?: string }): string {
  const detail = body.detail;
  if (Array.isArray(detail) && detail[0]) {
    const first = detail[0] as { loc: (string | number)[]; msg: string };
    return `${status} on \`${first.loc.join('.')}\`: ${first.msg}`;
  }
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  return `${status} ${body.code ?? ''}: ${text}`.slice(0, 160);
}

function checkOpenApi(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): string[] {
  const problems = new Set<string>();
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      const tags = (op.tags as string[] | undefined) ?? [];
      if (!tags.some((t) => t.startsWith('agent-'))) continue;
      if (typeof op.description !== 'string' || op.description === '') problems.add('operations without `description`');
      for (const key of ['x-when-to-use', 'x-prerequisites', 'x-routing-policy', 'x-negative-guidance']) {
        if (!Array.isArray(op[key])) problems.add(`\`${key}\` not an array`);
      }
      if (!Array.isArray(op['x-routing-policy-examples'])) problems.add('no `x-routing-policy-examples`');
    }
  }
  return [...problems];
}

function judge(c: RouteCase, status: number, body: unknown): { verdict: Verdict; reason: string } {
  if (status >= 500 && c.needs_gateway && (body as { code?: string }).code === 'gateway_error') {
    return { verdict: 'compatible', reason: 'route and input accepted; 502 because this walk runs no gateway' };
  }
  if (status < 200 || status >= 300) return { verdict: 'partial', reason: refusal(status, body as { detail?: unknown; code?: string }) };
  if (c.check === 'openapi_hints') {
    const problems = checkOpenApi(body as never);
    return problems.length ? { verdict: 'partial', reason: problems.join('; ') } : { verdict: 'compatible', reason: '' };
  }
  if (c.string)
    return typeof body === 'string' ? { verdict: 'compatible', reason: '' } : { verdict: 'partial', reason: 'not a JSON string' };
  const item = c.page ? (body as { items: unknown[] }).items[0] : c.array ? (body as unknown[])[0] : body;
  if (item === undefined) return { verdict: 'partial', reason: 'empty answer: fields not checked' };
  const missing = (c.keys ?? []).filter((k) => !(k in (item as object)));
  return missing.length
    ? { verdict: 'partial', reason: `answer lacks ${missing.map((k) => `\`${k}\``).join(', ')}` }
    : { verdict: 'compatible', reason: '' };
}

export async function walkRoutes(api: TestApi, world: World): Promise<WalkRow[]> {
  const rows: WalkRow[] = [];
  for (const c of ROUTE_FIXTURE.routes) {
    const res = await send(api, world, c);
    const known = c.as === 'none' || world.operations.has(`${c.method} ${c.path.replace(/\{(doomed_task_id)\}/, '{task_id}')}`);
    const row = { method: c.method, path: c.path };
    if (res.status === 404 && !known) rows.push({ ...row, verdict: 'missing', reason: '404: no such route' });
    else rows.push({ ...row, ...judge(c, res.status, res.body) });
  }
  return rows;
}

export async function walkLeniency(api: TestApi, world: World): Promise<WalkRow[]> {
  const rows: WalkRow[] = [];
  for (const c of ROUTE_FIXTURE.leniency) {
    const res = await send(api, world, c);
    const row = { method: c.method, path: `${c.path}${c.query ? `?${c.query}` : ''}`, what: c.what };
    let verdict: Verdict = res.status >= 200 && res.status < 300 ? 'compatible' : 'partial';
    let reason = verdict === 'partial' ? refusal(res.status, res.body as never) : (c.what ?? '');
    for (const [k, v] of Object.entries(c.expect ?? {})) {
      if (verdict === 'compatible' && (res.body as Record<string, unknown>)[k] !== v) {
        verdict = 'partial';
        reason = `\`${k}\` read as ${JSON.stringify((res.body as Record<string, unknown>)[k])}`;
      }
    }
    rows.push({ method: row.method, path: row.path, verdict, reason });
  }
  return rows;
}

/** Where leniency stops: each trust rule's probe must still be refused with its status. */
export async function walkTrust(api: TestApi, world: World): Promise<WalkRow[]> {
  const rows: WalkRow[] = [];
  for (const c of ROUTE_FIXTURE.trust) {
    const res = await send(api, world, c);
    const refused = res.status === c.status;
    rows.push({
      method: c.method,
      path: `${c.path} ${JSON.stringify(c.body)}`,
      verdict: refused ? 'refused' : 'NOT refused',
      reason: refused ? `${res.status}: ${c.why}` : `answered ${res.status}, expected ${c.status}`,
    });
  }
  return rows;
}

/** Each template curl, rendered and run by bash with the real curl; accepted = a 2xx answer. */
export async function walkCurls(api: TestApi, world: World): Promise<WalkRow[]> {
  const rows: WalkRow[] = [];
  for (const c of CURL_FIXTURE.curls) {
    const dir = mkdtempSync(join(tmpdir(), 'mc-curl-'));
    try {
      const status = await runCurl(render(c.command, api, world, c.as), dir);
      const ok = /^2\d\d$/.test(status);
      rows.push({
        method: c.at,
        path: firstUrl(c.command),
        verdict: ok ? 'compatible' : 'partial',
        reason: ok ? '' : `answered ${status}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function render(command: string, api: TestApi, world: World, as: Role | string): string {
  const token = as === 'none' ? '' : (world.tokens[as as Exclude<Role, 'none'>] ?? '');
  return command
    .replaceAll('{{ base_url }}', api.url)
    .replaceAll('{{ auth_token }}', token)
    .replaceAll('{{ agent_name }}', world.agentName)
    .replaceAll('{{ board_id }}', world.vars.board_id!)
    .replaceAll('<BOARD_ID>', world.vars.board_id!);
}

const firstUrl = (command: string) => /"\{\{ base_url \}\}([^"]*)"/.exec(command)?.[1] ?? command;

/** Runs the command with `curl` wrapped to report each HTTP status on stderr; returns the last one. */
async function runCurl(command: string, cwd: string): Promise<string> {
  const script = `curl() { command curl -w '%{stderr}WALK_STATUS=%{http_code}\\n' "$@"; }\n${command}\n`;
  const run = await runBash(script, cwd, {});
  return /WALK_STATUS=(\d+)\s*$/.exec(run.stderr)?.[1] ?? 'no answer';
}

/**
 * A bash script run asynchronously: the backend answering it lives in this process, so a synchronous
 * spawn would leave curl waiting on a server whose event loop is blocked.
 */
export function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ ok: code === 0, stdout, stderr }));
  });
}
