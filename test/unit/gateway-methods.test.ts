import { describe, expect, it } from 'vitest';
import { call, type GatewayRequester } from '../../backend/gateway/call.js';
import { GatewayError } from '../../backend/gateway/errors.js';
import { waitForAgent } from '../../backend/lifecycle/gateway-agents.js';
import type { GatewayConnection } from '../../backend/gateway/connection.js';

/**
 * Fault injection: a gateway whose answers changed shape (a real gateway of the supported version
 * cannot be made to send these). Records what was sent.
 */
function FakeChangedGateway(answers: Record<string, unknown>): GatewayRequester & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request: <T>(method: string) => {
      sent.push(method);
      return Promise.resolve(answers[method] as T);
    },
  };
}

const SECRET = 'agt_secret-token-value';

describe('typed gateway calls (GATEWAY_METHODS)', () => {
  it('a changed answer is answer_invalid naming the method and the field path, never the payload', async () => {
    const gateway = FakeChangedGateway({ 'agents.list': { agents: [{ id: 7, token: SECRET }] } });
    const err = await call(gateway, 'agents.list', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'answer_invalid', retryable: false });
    expect((err as GatewayError).detail).toMatch(/^agents\.list answered an unexpected shape at agents\.0\.id: /);
    expect(JSON.stringify((err as GatewayError).toJSON())).not.toContain(SECRET);
  });

  it('a missing field is named too (files of agents.files.list), and so is an answer that is not an object', async () => {
    const gateway = FakeChangedGateway({ 'agents.files.list': { agentId: 'a', entries: [] }, 'config.get': null });
    await expect(call(gateway, 'agents.files.list', { agentId: 'a' })).rejects.toMatchObject({
      code: 'answer_invalid',
      detail: expect.stringContaining('agents.files.list answered an unexpected shape at files:'),
    });
    await expect(call(gateway, 'config.get', {})).rejects.toMatchObject({
      code: 'answer_invalid',
      detail: expect.stringContaining('config.get answered an unexpected shape at (the answer):'),
    });
  });

  it('a changed answer stops a caller at the edge instead of an undefined later (waitForAgent)', async () => {
    const gateway = FakeChangedGateway({ 'agents.list': { list: [{ id: 'mc-1' }] } });
    // Before the table this polled `res.agents?.some(...)` as "not there yet" until it timed out.
    await expect(waitForAgent(gateway as unknown as GatewayConnection, 'mc-1', true, 50)).rejects.toMatchObject({
      code: 'answer_invalid',
    });
  });

  it('fields the product does not read pass through; params that break the table are refused before sending', async () => {
    const gateway = FakeChangedGateway({ 'cron.list': { jobs: [{ id: 'j1', declarationKey: 'heartbeat:a', extra: { x: 1 } }], more: true } });
    const res = await call(gateway, 'cron.list', { includeDisabled: true });
    expect(res.jobs[0]).toMatchObject({ id: 'j1', extra: { x: 1 } });
    await expect(call(gateway, 'agents.delete', { agentId: '', deleteFiles: true })).rejects.toThrow(/agents\.delete: invalid params at agentId/);
    expect(gateway.sent).toEqual(['cron.list']);
  });
});
