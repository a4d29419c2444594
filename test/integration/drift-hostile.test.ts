import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_WORKSPACE_FILE_BYTES } from '../../backend/lifecycle/gateway-agents.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { watchDriftJobs } from '../support/drift-jobs.js';
import { rawRpc } from '../support/openclaw/gateway.js';

/*
 * An agent writes a hostile 2 MiB MEMORY.md (the most the gateway serves) and a USER.md over that
 * bound on the real gateway; a drift read must answer "too large to diff" with the sizes, and the
 * backend must keep answering /healthz while it reads and diffs them (#13 item 3). The evidence is
 * counted, not timed: every /healthz answer is recorded with whether a drift job was running when it
 * arrived (jobs announce their start and end on the drift-job diagnostics channel). A job run on the
 * event loop is one synchronous call, during which no answer can arrive.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const gw = <T>(method: string, params: unknown = {}) => rawRpc<T>(gatewayUrl, gatewayToken, method, params);
const suffix = randomBytes(3).toString('hex');

let api: TestApi;
let gatewayId: string;
let key: string;

/** 2 MiB exactly: a 1 MiB a-a-a-… run (quadratic for the old redaction) and short lines (an O(n·m) table for the old diff). */
function hostileMemory(): string {
  const lines = Array.from({ length: 200_000 }, (_, i) => `- note ${i}`).join('\n');
  const text = `${'a-'.repeat(512 * 1024)}\n${lines}`.slice(0, MAX_WORKSPACE_FILE_BYTES);
  expect(Buffer.byteLength(text)).toBe(MAX_WORKSPACE_FILE_BYTES);
  return text;
}

beforeAll(async () => {
  api = await startTestApi();
  const gateway = await api
    .user('post', '/api/v1/gateways')
    .send({ name: `Hostile ${suffix}`, url: gatewayUrl, token: gatewayToken })
    .expect(200);
  gatewayId = gateway.body.id;
  key = `mc-gateway-${gatewayId}`;
}, 120_000);

afterAll(async () => {
  // Leave nothing heavy for the other suites' model prompts.
  for (const name of ['MEMORY.md', 'USER.md'])
    await gw('agents.files.set', { agentId: key, name, content: '# cleared\n' }).catch(() => undefined);
  await api?.user('delete', `/api/v1/gateways/${gatewayId}`).catch(() => undefined);
  await api?.stop();
}, 60_000);

describe('a hostile workspace file', () => {
  it('a 2 MiB MEMORY.md is read and diffed off the event loop: /healthz answers meanwhile; the answer is "too large to diff"', async () => {
    await gw('agents.files.set', { agentId: key, name: 'MEMORY.md', content: hostileMemory() });
    // Over the bound the gateway serves: written through the RPC (the gateway's own write bound is the same 2 MiB
    // only in a sandboxed workspace), it must be refused before any processing.
    const overBound = 'x'.repeat(MAX_WORKSPACE_FILE_BYTES + 1024);
    await gw('agents.files.set', { agentId: key, name: 'USER.md', content: overBound });

    const jobs = watchDriftJobs();
    let done = false;
    let answers = 0;
    let answersDuringJobs = 0;
    const pinger = (async () => {
      while (!done) {
        const res = await fetch(`${api.url}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) {
          answers++;
          if (jobs.running()) answersDuringJobs++;
        }
      }
    })();
    let body: {
      agents: {
        agent_id: string;
        error: string | null;
        files: { name: string; status: string; diff: string | null; too_large: unknown }[];
      }[];
    };
    try {
      body = (await api.user('get', `/api/v1/gateways/${gatewayId}/templates/drift`).expect(200)).body;
    } finally {
      done = true;
      await pinger;
      jobs.stop();
    }

    const files = Object.fromEntries(body.agents[0]!.files.map((f) => [f.name, f]));
    expect(body.agents[0]!.error).toBeNull();
    expect(files['MEMORY.md']).toMatchObject({
      status: 'drifted',
      diff: null,
      too_large: { reason: 'too_many_changes', gateway_bytes: MAX_WORKSPACE_FILE_BYTES, limit: 2_000 },
    });
    expect(files['USER.md']).toMatchObject({
      status: 'drifted',
      diff: null,
      too_large: { reason: 'file_too_large', gateway_bytes: overBound.length, limit: MAX_WORKSPACE_FILE_BYTES },
    });
    // The over-bound USER.md was never processed; the 2 MiB MEMORY.md went to a worker.
    const large = jobs.events.filter((e) => e.phase === 'start' && e.chars > 1024 * 1024);
    expect(large.map((e) => `${e.name}:${e.where}`)).toEqual(['MEMORY.md:worker']);
    // Recorded evidence: /healthz answers arrived while the MEMORY.md job was running.
    expect(answersDuringJobs, `${answers} answers in all`).toBeGreaterThan(0);
  }, 180_000);
});
