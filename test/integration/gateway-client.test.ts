import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTestApi } from '../support/api.js';
import { deleteGatewayAgent, rawRpc } from '../support/openclaw/gateway.js';
import { modelControl, reply } from '../support/openclaw/model-control.js';
import { productConnection } from '../support/openclaw/product-connection.js';

/** The product's own client against the real gateway: two answers for one request, and the version floor. */
const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const dir = mkdtempSync(join(tmpdir(), 'mc-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gateway client', () => {
  it('waits for the final answer of a method that answers twice (`agent`: accepted, then the result)', async () => {
    const agentId = `client-${Date.now().toString(36)}`;
    await rawRpc(gatewayUrl, gatewayToken, 'agents.create', { name: agentId });
    const connection = productConnection(gatewayUrl, gatewayToken, dir);
    try {
      await modelControl(inject('modelUrl')).setScript(agentId, reply('FINAL ANSWER FROM THE SCRIPT'));
      for (
        let i = 0;
        i < 20 &&
        !(await rawRpc<{ agents: { id: string }[] }>(gatewayUrl, gatewayToken, 'agents.list')).agents.some((a) => a.id === agentId);
        i++
      ) {
        await new Promise((r) => setTimeout(r, 250));
      }
      const acks: unknown[] = [];
      const result = await connection.request<{ status: string; result?: { payloads?: { text?: string }[] } }>(
        'agent',
        { message: 'hello', agentId, sessionKey: `agent:${agentId}:main`, idempotencyKey: `idem-${agentId}` },
        {
          timeoutMs: 90_000,
          isFinal: (payload) => {
            const status = (payload as { status?: string }).status;
            if (status === 'accepted') acks.push(payload);
            return status !== 'accepted';
          },
        },
      );
      expect(acks).toHaveLength(1);
      expect(result.status).toBe('ok');
      expect(JSON.stringify(result.result)).toContain('FINAL ANSWER FROM THE SCRIPT');
    } finally {
      connection.close();
      await deleteGatewayAgent(gatewayUrl, gatewayToken, agentId);
    }
  }, 120_000);

  it('a gateway older than the configured minimum is refused as too old, with the versions named', async () => {
    const api = await startTestApi({ gatewayMinVersion: '2099.1.1' });
    try {
      const res = await api.user('post', '/api/v1/gateways/test').send({ url: gatewayUrl, token: gatewayToken }).expect(200);
      expect(res.body.error).toMatchObject({ code: 'version_too_old', detail: expect.stringContaining('2099.1.1') });
      const create = await api.user('post', '/api/v1/gateways').send({ name: 'Too old', url: gatewayUrl, token: gatewayToken }).expect(422);
      expect(create.body.detail).toMatchObject({ code: 'version_too_old' });
    } finally {
      await api.stop();
    }
  });
});
