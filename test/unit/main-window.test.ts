import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureWebPreferences, WINDOW_CSP } from '../../main/security.js';
import { createApiClient } from '../../renderer/src/model/api/client.js';
import { adaptBridge } from '../../renderer/src/model/bridge.js';
import { connect } from '../../renderer/src/model/desktop.js';
import { createAppStore } from '../../renderer/src/model/stores/app-store.js';
import { preloadBridge, senderOf, start, stopDesktops } from './main-harness.js';

/*
 * main/ through the facade, around a real backend: the window's security, the IPC bridge's sender
 * checks, and the renderer inside the window bootstrapping through the real preload.
 */

afterEach(stopDesktops);

describe('the window', () => {
  it('is created sandboxed, context-isolated, without Node, with the preload, and shows the UI', async () => {
    const s = await start();
    const win = s.electron.window;
    // The window gets main/security.ts's preferences, and those switch on exactly the isolation
    // (no Node in any frame, no webview, no insecure content, no drag-navigation, no spellcheck).
    const prefs = win?.options.webPreferences ?? {};
    expect(prefs).toEqual(secureWebPreferences('/app/dist/main/preload.cjs'));
    const on = Object.entries(prefs).filter(([, v]) => v === true);
    expect(on.map(([k]) => k).sort()).toEqual(['contextIsolation', 'sandbox', 'webSecurity']);
    expect(Object.keys(prefs).filter((k) => k.startsWith('nodeIntegration'))).toHaveLength(3);
    expect(win?.loaded).toEqual([`${s.app.backend.url}/`]);
    expect(win?.visible).toBe(true);
    // The URL it loads really is the app's page (the UI, or the "not built" notice in a bare checkout).
    const page = await fetch(`${s.app.backend.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>OpenClaw Mission Control</title>');
  });

  it('stays in the app: same-origin navigation is allowed, external http(s) goes to the browser, other schemes nowhere', async () => {
    const s = await start();
    const win = s.electron.window!;
    expect(win.navigate(`${s.app.backend.url}/#/agents`)).toBe(true);
    expect(win.navigate('https://docs.openclaw.ai/gateway')).toBe(false);
    expect(win.navigate('file:///etc/passwd')).toBe(false);
    expect(win.navigate('javascript:alert(1)')).toBe(false);
    expect(win.navigate('https://user:pw@evil.example/')).toBe(false);
    // A different port on loopback is another origin.
    expect(win.navigate('http://127.0.0.1:1/')).toBe(false);
    expect(win.openHandler?.('https://github.com/openclaw')).toBe('deny');
    expect(win.openHandler?.('file:///tmp/x')).toBe('deny');
    expect(win.attachWebview()).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(s.electron.opened).toEqual(['https://docs.openclaw.ai/gateway', 'http://127.0.0.1:1/', 'https://github.com/openclaw']);
  });

  it('follows a redirect only within the app, and never opens the browser for one', async () => {
    const s = await start();
    const win = s.electron.window!;
    expect(win.redirect(`${s.app.backend.url}/#/agents`)).toBe(true);
    expect(win.redirect('https://evil.example/phish')).toBe(false);
    expect(win.redirect('http://127.0.0.1:1/')).toBe(false);
    expect(win.redirect('file:///etc/passwd')).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(s.electron.opened).toEqual([]);
  });

  it('denies every permission and puts a strict CSP on every response', async () => {
    const s = await start();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(s.electron.permissionRequest?.({ permission, url: s.app.backend.url })).toBe(false);
      expect(s.electron.permissionCheck?.({ permission, url: s.app.backend.url })).toBe(false);
    }
    const headers = s.electron.headersHandler?.(`${s.app.backend.url}/api/v1/boards`, {
      'content-type': ['application/json'],
      'content-security-policy': ['default-src *'],
    });
    expect(headers).toEqual({ 'content-type': ['application/json'], 'Content-Security-Policy': [WINDOW_CSP] });
    expect(WINDOW_CSP).toContain("default-src 'self'");
    expect(WINDOW_CSP).toContain("object-src 'none'");
    expect(WINDOW_CSP).not.toContain('unsafe-eval');
  });
});

describe('the IPC bridge', () => {
  it('answers the app window with the API URL and the local token', async () => {
    const s = await start();
    const boot = (await s.electron.invoke('mc:bootstrap', senderOf(s))) as { api_url: string; token: string };
    expect(boot.api_url).toBe(s.app.backend.url);
    expect(boot.token).toBe(s.app.backend.localToken);
    const res = await fetch(`${boot.api_url}/api/v1/boards`, { headers: { Authorization: `Bearer ${boot.token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses other web contents, a frame on another origin, and no frame', async () => {
    const s = await start();
    await expect(s.electron.invoke('mc:bootstrap', senderOf(s, { webContentsId: 9999 }))).rejects.toThrow(/not the Mission Control window/);
    await expect(s.electron.invoke('mc:bootstrap', senderOf(s, { frameUrl: 'https://evil.example/' }))).rejects.toThrow(
      /not the Mission Control window/,
    );
    await expect(s.electron.invoke('mc:bootstrap', senderOf(s, { frameUrl: null }))).rejects.toThrow(/not the Mission Control window/);
    await expect(s.electron.invoke('mc:reveal-folder', senderOf(s, { webContentsId: 9999 }), { folder: 'data' })).rejects.toThrow();
    expect(s.electron.openedPaths).toEqual([]);
  });

  it('run at boot: the state of this machine through the bridge (the unit file it would write); bad arguments refused', async () => {
    const s = await start();
    const state = await adaptBridge(preloadBridge(s)).getRunAtBoot!();
    expect(state).toMatchObject({ supported: process.platform === 'linux' || process.platform === 'darwin' });
    if (process.platform === 'linux') expect(state.file).toMatch(/systemd\/user\/openclaw-mission-control\.service$/);
    await expect(s.electron.invoke('mc:set-run-at-boot', senderOf(s), { enabled: 'yes' })).rejects.toThrow(/0\.enabled/);
    await expect(s.electron.invoke('mc:get-run-at-boot', senderOf(s, { webContentsId: 9999 }))).rejects.toThrow(
      /not the Mission Control window/,
    );
  });

  it('parses arguments: bad ones are refused with the field path, and nothing runs', async () => {
    const s = await start();
    await expect(s.electron.invoke('mc:open-external', senderOf(s), { url: 'file:///etc/passwd' })).rejects.toThrow(/0\.url/);
    await expect(s.electron.invoke('mc:open-external', senderOf(s), { url: 'https://x.example', extra: 1 })).rejects.toThrow(
      /invalid arguments/,
    );
    await expect(s.electron.invoke('mc:reveal-folder', senderOf(s), { folder: '/etc' })).rejects.toThrow(/0\.folder/);
    await expect(s.electron.invoke('mc:bootstrap', senderOf(s), 'surprise')).rejects.toThrow(/invalid arguments/);
    expect(s.electron.opened).toEqual([]);
    expect(s.electron.openedPaths).toEqual([]);

    await s.electron.invoke('mc:open-external', senderOf(s), { url: 'https://docs.openclaw.ai/' });
    await s.electron.invoke('mc:reveal-folder', senderOf(s), { folder: 'logs' });
    expect(s.electron.opened).toEqual(['https://docs.openclaw.ai/']);
    expect(s.electron.openedPaths).toEqual([join(s.dataDir, 'logs')]);
  });
});
describe('the renderer inside the window (bootstrap through the bridge)', () => {
  it('signs in from bootstrap(): the app store is ready with no sign-in page, every call carries the token', async () => {
    const s = await start();
    const connection = await connect(adaptBridge(preloadBridge(s)));
    expect(connection.problem).toBeNull();
    expect(connection.apiOptions.baseUrl).toBe(s.app.backend.url);
    expect(connection.desktop).toMatchObject({ platform: 'linux', secretStorageWarning: expect.any(String) });
    const store = createAppStore(createApiClient(connection.apiOptions), connection);
    await store.getState().init();
    expect(store.getState().session).toBe('ready');
    expect(store.getState().error).toBeNull();
    expect(store.getState().settings?.data_dir).toBe(s.dataDir);
    expect(store.getState().desktop?.secretStorageWarning).toMatch(/keyring/);
  });

  it('a bridge that refuses (not the app window) leaves the browser sign-in, with the reason', async () => {
    const s = await start();
    const connection = await connect(adaptBridge(preloadBridge(s, senderOf(s, { frameUrl: 'https://evil.example/' }))));
    expect(connection.desktop).toBeNull();
    expect(connection.apiOptions).toEqual({ baseUrl: '' });
    expect(connection.problem).toMatch(/did not hand over its token.*not the Mission Control window/);
  });

  it('in a browser (no bridge): same origin, cookie session, no token', async () => {
    expect(await connect(null)).toEqual({ apiOptions: { baseUrl: '' }, desktop: null, problem: null });
  });
});
