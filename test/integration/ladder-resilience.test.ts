import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApi } from '../support/api.js';
import { checkIn, modelControl, summarizeCheckIns } from '../support/openclaw/model-control.js';
import { gatewayControl } from '../support/openclaw/gateway-control.js';

/*
 * The ladder when things break: the gateway goes down mid-ladder, the backend is killed mid-ladder,
 * and one run at the real default policy (30 s × 3 → offline 90 s after the first wake).
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const model = modelControl(inject('modelUrl'));
const WORKERS = /^mc-(?!gateway-)/;
const suffix = randomBytes(3).toString('hex');

async function until(what: string, read: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}


/** A backend process of its own (so it can be SIGKILLed), on a data dir that outlives it. */
async function spawnBackend(dataDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, MC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /is running: (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`backend exited (${code}):\n${out}`)));
  });
  return { child, url };
}

afterEach(async () => {
  await model.setPatternScript(WORKERS, null);
});

describe('ladder resilience', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('gateway down mid-ladder → offline with the gateway-unreachable reason; back + wake → converges', async () => {
    const api = await startTestApi({ checkinDeadlineSeconds: 6, maxWakeAttempts: 3 });
    try {
      const gw = await api
        .user('post', '/api/v1/gateways')
        .send({ name: `Down ${suffix}`, url: gatewayUrl, token: gatewayToken })
        .expect(200);
      const board = await api
        .user('post', '/api/v1/boards')
        .send({ name: `Down ${suffix}`, description: 'd', gateway_id: gw.body.id, create_lead: false })
        .expect(200);
      await model.setPatternScript(WORKERS, checkIn.silent());
      const agent = (
        await api
          .user('post', '/api/v1/agents')
          .send({ name: `Down ${suffix}`, board_id: board.body.id })
          .expect(200)
      ).body;
      await model.setScript(`mc-${agent.id}`, checkIn.silent());
      await harness('halt');
      try {
        await until('offline', async () => (await api.user('get', `/api/v1/agents/${agent.id}`)).body.status === 'offline', 40_000);
        const offline = (await api.user('get', `/api/v1/agents/${agent.id}`)).body;
        expect(offline.last_provision_error).toMatch(/max wake attempts reached.*Nothing answered at the gateway URL/s);
      } finally {
        await harness('restart');
      }
      await model.setScript(`mc-${agent.id}`, checkIn.obedient());
      await until('reconnected', async () => (await api.user('get', `/api/v1/gateways/${gw.body.id}/status`)).body.ok === true, 60_000);
      await api.user('post', `/api/v1/agents/${agent.id}/wake`).expect(200);
      await until('online', async () => (await api.user('get', `/api/v1/agents/${agent.id}`)).body.last_seen_at !== null, 30_000);
      expect((await api.user('get', `/api/v1/agents/${agent.id}`)).body).toMatchObject({
        status: 'online',
        wake_attempts: 0,
        last_provision_error: null,
      });
      await api.user('delete', `/api/v1/agents/${agent.id}`).expect(200);
    } finally {
      await api.stop();
    }
  }, 180_000);

  it('backend SIGKILLed mid-ladder and restarted on the same data dir: the ladder goes on, no double wake', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-kill-'));
    dirs.push(dataDir);
    const env = { MC_CHECKIN_DEADLINE_SECONDS: '8', MC_MAX_WAKE_ATTEMPTS: '3' };
    let { child, url } = await spawnBackend(dataDir, env);
    const token = readFileSync(join(dataDir, 'local-auth-token'), 'utf8').trim();
    let http = supertest(url);
    const user = (method: 'get' | 'post', path: string) => http[method](path).set('Authorization', `Bearer ${token}`);
    try {
      const gw = await user('post', '/api/v1/gateways')
        .send({ name: `Kill ${suffix}`, url: gatewayUrl, token: gatewayToken })
        .expect(200);
      const board = await user('post', '/api/v1/boards')
        .send({ name: `Kill ${suffix}`, description: 'd', gateway_id: gw.body.id, create_lead: false })
        .expect(200);
      await model.setPatternScript(WORKERS, checkIn.silent());
      const agent = (
        await user('post', '/api/v1/agents')
          .send({ name: `Kill ${suffix}`, board_id: board.body.id })
          .expect(200)
      ).body;
      await model.setScript(`mc-${agent.id}`, checkIn.silent());
      await until('second wake', async () => (await user('get', `/api/v1/agents/${agent.id}`)).body.wake_attempts === 2, 30_000);

      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      ({ child, url } = await spawnBackend(dataDir, env));
      http = supertest(url);

      await until('offline', async () => (await user('get', `/api/v1/agents/${agent.id}`)).body.status === 'offline', 40_000);
      const events = (
        (await user('get', `/api/v1/logs?event=lifecycle.reconcile.*&agent_id=${agent.id}`).expect(200)).body.items as { event: string }[]
      )
        .map((e) => e.event)
        .reverse();
      expect(events).toEqual([
        'lifecycle.reconcile.retriggered',
        'lifecycle.reconcile.retriggered',
        'lifecycle.reconcile.max_attempts_reached',
      ]);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(summarizeCheckIns(await model.requests(`mc-${agent.id}`))).toMatchObject({ heartbeatTurns: 3, checkInsIssued: 0 });
      await http.delete(`/api/v1/agents/${agent.id}`).set('Authorization', `Bearer ${token}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
  }, 120_000);

  it('at the real default policy a silent agent is offline 90 s (± a few s) after its first wake', async () => {
    const api = await startTestApi();
    try {
      expect(api.backend.config).toMatchObject({ checkinDeadlineSeconds: 30, maxWakeAttempts: 3 });
      const gw = await api
        .user('post', '/api/v1/gateways')
        .send({ name: `Policy ${suffix}`, url: gatewayUrl, token: gatewayToken })
        .expect(200);
      const board = await api
        .user('post', '/api/v1/boards')
        .send({ name: `Policy ${suffix}`, description: 'd', gateway_id: gw.body.id, create_lead: false })
        .expect(200);
      await model.setPatternScript(WORKERS, checkIn.silent());
      const agent = (
        await api
          .user('post', '/api/v1/agents')
          .send({ name: `Policy ${suffix}`, board_id: board.body.id })
          .expect(200)
      ).body;
      await model.setScript(`mc-${agent.id}`, checkIn.silent());
      const firstWake = Date.parse(agent.last_wake_sent_at);
      await until('offline', async () => (await api.user('get', `/api/v1/agents/${agent.id}`)).body.status === 'offline', 100_000);
      const offlineAt = Date.parse(
        (await api.user('get', `/api/v1/logs?event=lifecycle.reconcile.max_attempts_reached&agent_id=${agent.id}`).expect(200)).body
          .items[0].created_at,
      );
      const seconds = (offlineAt - firstWake) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(90);
      expect(seconds).toBeLessThanOrEqual(93);
      await api.user('delete', `/api/v1/agents/${agent.id}`).expect(200);
    } finally {
      await api.stop();
    }
  }, 150_000);
});
