import type { AgentRow } from '../db/schema.js';
import type { GatewayConnection } from '../gateway/connection.js';
import { call } from '../gateway/call.js';
import { GatewayError } from '../gateway/errors.js';

/** The agent's id on the gateway, as the web edition names them (agents and scripts use these). */
export function gatewayAgentKey(agent: Pick<AgentRow, 'id' | 'boardId' | 'gatewayId' | 'isBoardLead'>): string {
  if (agent.boardId === null) return `mc-gateway-${agent.gatewayId}`;
  return agent.isBoardLead ? `lead-${agent.boardId}` : `mc-${agent.id}`;
}

export const isAlreadyExists = (err: GatewayError) => /already exists|duplicate|conflict/i.test(err.detail);
/** "No such agent/session/file" — never a scope refusal ("missing scope"), which must not read as "already gone". */
export const isMissing = (err: GatewayError) =>
  err.code === 'rejected' && /not found|unknown agent|no such|does not exist/i.test(err.detail);

/**
 * agents.create and agents.delete land through a config hot reload (~0.5–0.8 s later): poll
 * agents.list until the agent is there (or gone).
 */
export async function waitForAgent(conn: GatewayConnection, key: string, present = true, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    const res = await call(conn, 'agents.list', {});
    if (res.agents.some((a) => a.id === key) === present) return;
    if (Date.now() + delay > deadline)
      throw new GatewayError('timeout', `agent ${key} did not ${present ? 'appear on' : 'leave'} the gateway within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The agent's heartbeat cron job; the gateway adds it with the agent, possibly a moment later. */
export async function findHeartbeatJob(conn: GatewayConnection, key: string, timeoutMs = 5_000): Promise<{ id: string } | null> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    const { jobs } = await call(conn, 'cron.list', { includeDisabled: true });
    const job = jobs.find((j) => j.declarationKey === `heartbeat:${key}`);
    if (job) return job;
    if (Date.now() + delay > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

type Json = Record<string, unknown>;
const objectAt = (value: unknown, key: string): Json | undefined => {
  const child = value && typeof value === 'object' ? (value as Json)[key] : undefined;
  return child && typeof child === 'object' ? (child as Json) : undefined;
};

/**
 * The `config.patch` raw JSON that sets the agent's heartbeat cadence, or null when the gateway
 * already has it (a needless patch would trigger a reload).
 */
export function configHeartbeatPatch(config: unknown, key: string, every: string): string | null {
  const current = objectAt(objectAt(objectAt(objectAt(config, 'agents'), 'entries'), key), 'heartbeat');
  if (current?.every === every) return null;
  return JSON.stringify({ agents: { entries: { [key]: { heartbeat: { every } } } } });
}

/**
 * The most of a workspace file Mission Control processes: what the gateway itself serves at most
 * (its workspace read bound, 2 MiB). A larger answer (a gateway that reads without the bound) is
 * dropped before any redaction or diff: the file is reported as too large, with its size.
 */
export const MAX_WORKSPACE_FILE_BYTES = 2 * 1024 * 1024;

/** A workspace file as the gateway has it: its content, missing, a name the gateway refuses, or over the bound. */
export type WorkspaceRead =
  | { state: 'present'; content: string }
  | { state: 'missing' }
  | { state: 'unsupported'; detail: string }
  | { state: 'too_large'; bytes: number };

/** UTF-8 bytes of `content` when over `limit`, else null (short strings are not measured: ≤ 3 bytes a UTF-16 unit). */
function byteSizeOver(content: string, limit: number): number | null {
  if (content.length * 3 <= limit) return null;
  const bytes = Buffer.byteLength(content, 'utf8');
  return bytes > limit ? bytes : null;
}

/** `agents.files.get`, with "no such agent/file" as missing and a refused name (TOOLS.md, HEARTBEAT.md) as unsupported. */
export async function readWorkspaceFile(conn: GatewayConnection, key: string, name: string): Promise<WorkspaceRead> {
  try {
    const res = await call(conn, 'agents.files.get', { agentId: key, name });
    if (res.file?.missing || typeof res.file?.content !== 'string') return { state: 'missing' };
    const over = byteSizeOver(res.file.content, MAX_WORKSPACE_FILE_BYTES);
    if (over !== null) return { state: 'too_large', bytes: over };
    return { state: 'present', content: res.file.content };
  } catch (err) {
    if (err instanceof GatewayError && isMissing(err)) return { state: 'missing' };
    if (err instanceof GatewayError && err.code === 'rejected' && /unsupported file/i.test(err.detail))
      return { state: 'unsupported', detail: err.detail };
    throw err;
  }
}
