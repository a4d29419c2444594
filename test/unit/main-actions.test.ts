import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiActions } from '../../main/api-actions.js';
import { runDesktop, type DesktopApp } from '../../main/app.js';
import { TRAY_ACTIONS } from '../../main/tray-model.js';
import { FakeElectron } from './main-fake-electron.js';
import { useRecordingServer } from '../support/recording-server.js';

/*
 * Tray actions are plain HTTP calls with the local token. The template sync endpoint is built
 * elsewhere: here we assert the exact request (against a recording HTTP server), and that through
 * the real backend the tray reports the outcome it gets.
 */

describe('the HTTP actions', () => {
  const rec = useRecordingServer({ status: 200, body: { ok: true } });

  const token = 'local-token-'.padEnd(60, 'x');

  it('sync templates: POST /api/v1/gateways/{id}/templates/sync with the bearer token, no body', async () => {
    rec.seen.length = 0;
    const actions = createApiActions({ baseUrl: rec.base, token });
    expect(await actions.syncTemplates('gw 1/2')).toEqual({ ok: true, status: 200, detail: null });
    expect(await actions.syncTemplates('gw-3', { rotateTokens: true })).toMatchObject({ ok: true });
    expect(rec.seen).toEqual([
      { method: 'POST', url: '/api/v1/gateways/gw%201%2F2/templates/sync', authorization: `Bearer ${token}`, body: '' },
      { method: 'POST', url: '/api/v1/gateways/gw-3/templates/sync?rotate_tokens=true', authorization: `Bearer ${token}`, body: '' },
    ]);
  });

  it('wake: POST /api/v1/agents/{id}/wake; an error answer becomes its detail', async () => {
    rec.seen.length = 0;
    rec.answer = { status: 409, body: { detail: { message: 'the gateway is unreachable', code: 'unreachable' } } };
    const actions = createApiActions({ baseUrl: rec.base, token });
    expect(await actions.wakeAgent('a1')).toEqual({ ok: false, status: 409, detail: 'the gateway is unreachable' });
    expect(rec.seen).toEqual([{ method: 'POST', url: '/api/v1/agents/a1/wake', authorization: `Bearer ${token}`, body: '' }]);
    rec.answer = { status: 200, body: {} };
  });

  it('nobody listening: not ok, with the network error', async () => {
    const actions = createApiActions({ baseUrl: 'http://127.0.0.1:1', token });
    const result = await actions.wakeAgent('a1');
    expect(result.ok).toBe(false);
    expect(result.status).toBe(0);
    expect(result.detail).toBeTruthy();
  });
});

describe('tray actions against the real backend', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-main-actions-'));
  const electron = new FakeElectron({ confirmAnswer: false });
  const requests: string[] = [];
  let app: DesktopApp;

  beforeAll(async () => {
    const started = await runDesktop({
      electron,
      argv: ['--hidden'],
      env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent', HOME: dataDir },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
      gatewayPollMs: 50,
      fetch: (input, init) => {
        requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    if (!started) throw new Error('not started');
    app = started;
  });
  afterAll(async () => {
    electron.quit();
    await app.stopped();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a saved gateway enables sync; the tray calls the sync path for it and reports the answer', async () => {
    const res = await fetch(`${app.backend.url}/api/v1/gateways`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${app.backend.localToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Nowhere', url: 'ws://127.0.0.1:9', allow_offline: true }),
    });
    expect(res.status).toBe(200);
    const gateway = (await res.json()) as { id: string };
    const tray = electron.trays[0]!;
    for (let i = 0; i < 100 && !tray.labels().includes('Sync templates (all gateways)'); i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 100 && tray.menu.some((m) => 'id' in m && m.id === TRAY_ACTIONS.syncTemplates && !m.enabled); i++)
      await new Promise((r) => setTimeout(r, 20));

    await app.runTrayAction(TRAY_ACTIONS.syncTemplates);
    expect(requests).toEqual([`POST ${app.backend.url}/api/v1/gateways/${gateway.id}/templates/sync`]);
    // Whatever the backend answers (the endpoint may not exist yet), the person is told.
    expect(electron.notifications.at(-1)?.title).toBe('Template sync');

    // Rotating asks first; "Cancel" sends nothing.
    await app.runTrayAction(TRAY_ACTIONS.rotateTokens);
    expect(electron.confirmations).toEqual(['Rotate every agent’s token and re-sync its templates?']);
    expect(requests).toHaveLength(1);
  });
});
