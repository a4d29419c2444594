import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call, type GatewayRequester } from '../../backend/gateway/call.js';
import type { GatewayConnection } from '../../backend/gateway/connection.js';
import { GATEWAY_METHODS, type GatewayMethod } from '../../backend/gateway/methods.js';
import { configHeartbeatPatch, waitForAgent } from '../../backend/lifecycle/gateway-agents.js';
import { productConnection } from '../support/openclaw/product-connection.js';
import { until } from '../support/until.js';

/*
 * Every method of GATEWAY_METHODS, called through the product's typed `call` against the real
 * gateway: each answer must parse with its table schema (a shape the code assumed but the gateway
 * does not send fails here as `answer_invalid`, naming method and field).
 */
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const dir = mkdtempSync(join(tmpdir(), 'mc-methods-'));
let connection: GatewayConnection;
const called = new Set<string>();
/** The real connection, recording which methods were called (nothing altered). */
const conn: GatewayRequester = {
  request: (method, params, opts) => {
    called.add(method);
    return connection.request(method, params, opts);
  },
};

beforeAll(async () => {
  connection = productConnection(gatewayUrl, gatewayToken, dir);
  await connection.ready(60_000);
});
afterAll(() => {
  connection.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GATEWAY_METHODS against the real gateway', () => {
  it('every table method answers in the shape its schema expects', async () => {
    const agentId = `methods-${Date.now().toString(36)}`;
    const sessionKey = `agent:${agentId}:main`;
    await call(conn, 'agents.create', { name: agentId });
    try {
      await waitForAgent(conn as GatewayConnection, agentId);
      const listed = await call(conn, 'agents.list', {});
      expect(listed.agents.map((a) => a.id)).toContain(agentId);
      await call(conn, 'agents.update', { agentId, name: 'Methods Probe' });

      const files = await call(conn, 'agents.files.list', { agentId });
      expect(files.files.find((f) => f.name === 'AGENTS.md')?.missing).toBe(false);
      const agentsFile = await call(conn, 'agents.files.get', { agentId, name: 'AGENTS.md' });
      expect(typeof agentsFile.file.content).toBe('string');
      const memory = await call(conn, 'agents.files.get', { agentId, name: 'MEMORY.md' });
      expect(memory.file.missing).toBe(true);
      await call(conn, 'agents.files.set', { agentId, name: 'MEMORY.md', content: 'Notes.\n' });

      // Cadence first, as provisioning does: the harness turns periodic heartbeats off by default
      // (`every: '0m'`), and the gateway declares an agent's heartbeat job only once it has a cadence.
      const config = await call(conn, 'config.get', {});
      expect(config.hash).toMatch(/\S/);
      const patch = configHeartbeatPatch(config.parsed ?? config.config, agentId, '10m');
      expect(patch).not.toBeNull();
      await call(conn, 'config.patch', { raw: patch!, baseHash: config.hash });

      // The job lands with the config reload a moment later — unless the gateway's system-job
      // reconcile is superseded by other reloads or fails a row; then it tries again 30 s later
      // (server-cron `reconcileSystemJobs`).
      let job: { id: string } | undefined;
      await until(
        'the agent’s heartbeat job is listed',
        async () => {
          const { jobs } = await call(conn, 'cron.list', { includeDisabled: true });
          job = jobs.find((j) => j.declarationKey === `heartbeat:${agentId}`);
          return job !== undefined;
        },
        75_000,
        500,
      );
      await call(conn, 'cron.scratch.set', { id: job!.id, content: 'Check in.' });

      const approvals = await call(conn, 'exec.approvals.get', {});
      await call(conn, 'exec.approvals.set', { file: approvals.file, baseHash: approvals.hash });

      await call(conn, 'wake', { mode: 'now', text: 'Probe wake.', agentId, sessionKey });
      await call(conn, 'chat.send', { sessionKey, message: 'Probe message.', idempotencyKey: `idem-${agentId}`, deliver: false });
      const mine = await call(conn, 'sessions.list', { agentId, limit: 3 });
      // Parsed is the point; whether the new session is listed yet depends on the turn's timing.
      expect(Array.isArray(mine.sessions)).toBe(true);
      const all = await call(conn, 'sessions.list', { limit: 500 });
      expect(typeof (all.totalCount ?? all.count)).toBe('number');
      await call(conn, 'sessions.reset', { key: sessionKey });
      await call(conn, 'sessions.subscribe', {});

      const tail = await call(conn, 'logs.tail', { limit: 20, maxBytes: 64 * 1024 });
      expect(Array.isArray(tail.lines)).toBe(true);
    } finally {
      await call(conn, 'agents.delete', { agentId, deleteFiles: true });
    }
    expect([...called].sort()).toEqual(Object.keys(GATEWAY_METHODS).sort() as GatewayMethod[]);
  }, 200_000);
});
