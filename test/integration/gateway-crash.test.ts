import { describe, expect, inject, it } from 'vitest';
import { useTestApi } from '../support/api.js';
import { gatewayControl } from '../support/openclaw/gateway-control.js';
import { until } from '../support/until.js';

/*
 * The shared gateway dies on its own (FAULT INJECTION: the harness SIGKILLs it, as a crash would — CI
 * saw the real one vanish mid-suite with nothing asked of the harness). The harness supervises it as
 * systemd or launchd would and starts it again on its state; Mission Control, never restarted, finds
 * it connected again on the same gateway row, and the agents it knew are still on the gateway.
 */

const gatewayUrl = inject('gatewayUrl');
const gatewayToken = inject('gatewayToken');
const harness = gatewayControl(inject('gatewayControlUrl'));
const api = useTestApi();

describe('a gateway that crashes', () => {
  it('is started again by the harness, and Mission Control reconnects to it on its own', async () => {
    const created = await api.user('post', '/api/v1/gateways').send({ name: 'Crash', url: gatewayUrl, token: gatewayToken }).expect(200);
    const id = created.body.id as string;
    const before = (await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body;
    expect(before.state).toBe('connected');

    // Resolves once the harness has the gateway answering hello-ok again (a supervisor's restart).
    await harness('crash');

    // Mission Control's own reconnect (backoff capped at 30 s) finds it, with the version it reports.
    const back = await until(
      'Mission Control connected to the restarted gateway',
      async () => (await api.user('get', `/api/v1/gateways/${id}/status`).expect(200)).body,
      (b) => b.ok === true && b.state === 'connected',
      60_000,
    );
    expect(back).toMatchObject({ ok: true, protocol_version: 4, server_version: before.server_version });
    // The main agent provisioned on save lived through the crash: the gateway kept its state.
    const main = (await api.user('get', `/api/v1/agents/${created.body.main_agent_id}`).expect(200)).body;
    expect(main.gateway_id).toBe(id);
    await api.user('delete', `/api/v1/gateways/${id}`).expect(200);
  }, 300_000);
});
