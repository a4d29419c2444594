import { randomUUID } from 'node:crypto';
import type { AgentRow, GatewayRow } from '../db/schema.js';
import { call } from '../gateway/call.js';
import type { GatewayConnection, GatewayHello } from '../gateway/connection.js';
import { GatewayError } from '../gateway/errors.js';
import type { GatewayParams } from '../gateway/methods.js';
import type { Logger } from '../logging.js';
import { configHeartbeatPatch, findHeartbeatJob, isAlreadyExists, waitForAgent } from './gateway-agents.js';

/*
 * The gateway side of one provisioning, step by step: create the gateway agent (idempotent), align
 * its heartbeat cadence, put the checklist in its heartbeat job's scratch, wake it. Each step can run
 * again safely; methods are chosen by what the gateway advertises (hello-ok.features.methods).
 */

const DEFAULT_WORKSPACE_ROOT = '~/.openclaw';

export async function ensureGatewayAgent(conn: GatewayConnection, gateway: GatewayRow, key: string, displayName: string): Promise<void> {
  const params: GatewayParams<'agents.create'> = { name: key };
  if (gateway.workspaceRoot !== DEFAULT_WORKSPACE_ROOT) params.workspace = `${gateway.workspaceRoot.replace(/\/+$/, '')}/workspace-${key}`;
  try {
    await call(conn, 'agents.create', params);
  } catch (err) {
    if (!(err instanceof GatewayError && isAlreadyExists(err))) throw err;
  }
  // The gateway applies agents.create through a config hot reload (~0.5–0.8 s later).
  await waitForAgent(conn, key);
  await call(conn, 'agents.update', { agentId: key, name: displayName });
}

export async function writeHeartbeatScratch(
  conn: GatewayConnection,
  hello: GatewayHello,
  key: string,
  content: string,
  log: Logger,
): Promise<void> {
  if (!hello.methods.includes('cron.list') || !hello.methods.includes('cron.scratch.set')) return;
  const job = await findHeartbeatJob(conn, key);
  if (!job) {
    log.warn('lifecycle.provision.note', 'no heartbeat job found for the agent; scratch not written', { gateway_agent_id: key });
    return;
  }
  await call(conn, 'cron.scratch.set', { id: job.id, content });
}

export async function alignHeartbeat(conn: GatewayConnection, key: string, every: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await call(conn, 'config.get', {});
    const patch = configHeartbeatPatch(current.parsed ?? current.config, key, every);
    if (!patch) return; // nothing changed: no write, no reload
    try {
      await call(conn, 'config.patch', { raw: patch, baseHash: current.hash });
      return;
    } catch (err) {
      // Compare-and-swap lost against another writer: read again and retry.
      if (!(err instanceof GatewayError && /changed since/i.test(err.detail))) throw err;
    }
  }
}

export async function wakeAgent(
  conn: GatewayConnection,
  hello: GatewayHello,
  agent: AgentRow,
  key: string,
  verb: string,
): Promise<'wake' | 'chat.send'> {
  const sessionKey = agent.openclawSessionId ?? `agent:${key}:main`;
  const text = `Hello ${agent.name}. Your workspace has been ${verb}. Check in now with the command in AGENTS.md, then continue.`;
  if (hello.methods.includes('wake')) {
    await call(conn, 'wake', { mode: 'now', text, agentId: key, sessionKey });
    return 'wake';
  }
  await call(conn, 'chat.send', { sessionKey, message: text, idempotencyKey: randomUUID() });
  return 'chat.send';
}
