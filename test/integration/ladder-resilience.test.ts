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
import { until } from '../support/until.js';

/*
 * The ladder when things break: the gateway goes down mid-ladder, the backend is killed mid-ladder,
 * and one run at the real default policy (30 s × 3), judged on the recorded trail: three wakes each
 * with a 30 s deadline, no retry before its deadline, offline after the third — not on how long the
 * loaded machine took.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const model = modelControl(inject('modelUrl'));
const WORKERS = /^mc-(?!gateway-)/;
const suffix = randomBytes(3).toString('hex');

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
  }, 300_000);

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
        .filter((e) => e !== 'lifecycle.reconcile.deferred') // a queued check that ran before its deadline
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

  it('at the real default policy the trail shows 3 wakes with 30 s deadlines, no retry before its deadline, then offline', async () => {
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
      await until('offline', async () => (await api.user('get', `/api/v1/agents/${agent.id}`)).body.status === 'offline', 240_000, 1_000);

      interface TrailEvent {
        event: string;
        created_at: string;
        data: Record<string, unknown> | null;
      }
      const trail = (
        (await api.user('get', `/api/v1/logs?event=lifecycle.*&agent_id=${agent.id}&limit=200`).expect(200)).body.items as TrailEvent[]
      ).reverse();
      const of = (name: string) => trail.filter((e) => e.event === name);
      const at = (e: TrailEvent) => Date.parse(e.created_at);
      const armed = of('lifecycle.queue.enqueued');
      // Each wake arms its deadline (recorded in the event); a wake the gateway dropped is re-sent as the
      // same attempt with a fresh deadline, so the latest arming of an attempt is the one that counts.
      const deadlineOf = (attempt: number): number => {
        const latest = armed.filter((e) => e.data?.attempt === attempt).at(-1);
        if (latest) return Date.parse(String(latest.data?.deadline));
        expect(attempt, 'only the first wake may lack its arming event').toBe(1);
        return Date.parse(agent.last_wake_sent_at) + 30_000;
      };
      // Each deadline is 30 s after its wake, which is recorded at or after the wake was sent.
      for (const e of armed) {
        const left = Date.parse(String(e.data?.deadline)) - at(e);
        expect(left).toBeLessThanOrEqual(30_000);
        expect(left).toBeGreaterThan(0);
      }
      expect([2, 3].map((attempt) => armed.some((e) => e.data?.attempt === attempt))).toEqual([true, true]);
      const retries = of('lifecycle.reconcile.retriggered');
      const offline = of('lifecycle.reconcile.max_attempts_reached');
      expect(retries).toHaveLength(2);
      expect(offline).toHaveLength(1);
      expect(offline[0]!.data).toMatchObject({ attempts: 3 });
      // Each decision came at or after the deadline the wake before it armed (recorded times, same clock).
      const decisions = [...retries, ...offline];
      decisions.forEach((decision, i) => expect(at(decision)).toBeGreaterThanOrEqual(deadlineOf(i + 1)));
      // Nothing of the ladder after it gave up.
      expect(trail.filter((e) => at(e) > at(offline[0]!) && /^lifecycle\.(wake|queue|reconcile\.retriggered)/.test(e.event))).toEqual([]);
      expect((await api.user('get', `/api/v1/agents/${agent.id}`)).body).toMatchObject({
        wake_attempts: 3,
        last_provision_error: expect.stringMatching(/max wake attempts reached/),
      });
      await api.user('delete', `/api/v1/agents/${agent.id}`).expect(200);
    } finally {
      await api.stop();
    }
  }, 300_000);
});
