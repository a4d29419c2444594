import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from '../../backend/index.js';
import { runDesktop, type DesktopApp } from '../../main/app.js';
import { AUTOSTART_FILE } from '../../main/login-item.js';
import { WINDOW_CSP } from '../../main/security.js';
import { TRAY_ACTIONS } from '../../main/tray-model.js';
import type { DesktopBridge } from '../../backend/contract/desktop-bridge.js';
import { createApiClient } from '../../renderer/src/model/api/client.js';
import { adaptBridge } from '../../renderer/src/model/bridge.js';
import { connect } from '../../renderer/src/model/desktop.js';
import { createAppStore } from '../../renderer/src/model/stores/app-store.js';
import { FakeElectron, type FakeElectronOptions } from './main-fake-electron.js';

/*
 * main/ through the facade, around a real backend (real SQLite file, real HTTP on a free port):
 * the window's security, the IPC bridge's sender checks, the tray, close-to-tray, --hidden, the
 * single-instance lock, start at login and the quit sequence.
 */

interface Started {
  app: DesktopApp;
  electron: FakeElectron;
  dataDir: string;
  autostartDir: string;
}

const running: Started[] = [];
const dirs: string[] = [];

interface StartOptions extends FakeElectronOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  startBackend?: typeof startBackend;
  quitTimeoutMs?: number;
  launchCommand?: string[];
}

async function start(options: StartOptions = {}): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-main-'));
  const autostartDir = join(dataDir, 'autostart');
  dirs.push(dataDir);
  const electron = new FakeElectron(options);
  const app = await runDesktop({
    electron,
    argv: ['/opt/mission-control/app', '--inspect=0', '--no-sandbox', ...(options.argv ?? [])],
    env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent', HOME: dataDir, ...options.env },
    preloadPath: '/app/dist/main/preload.cjs',
    launchCommand: options.launchCommand ?? ['/opt/Mission Control/mission-control'],
    autostartDir,
    ...(options.startBackend && { startBackend: options.startBackend }),
    ...(options.quitTimeoutMs !== undefined && { quitTimeoutMs: options.quitTimeoutMs }),
  });
  if (!app) throw new Error('the desktop app did not start');
  const started = { app, electron, dataDir, autostartDir };
  running.push(started);
  return started;
}

async function quit(s: Started): Promise<void> {
  s.electron.quit();
  await s.app.stopped();
}

afterEach(async () => {
  for (const s of running.splice(0)) await quit(s);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Fails (instead of hanging until the test timeout) when `promise` does not settle in time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * An `Exec=` value read the way the Desktop Entry spec says a desktop session reads it: the string
 * escapes first (`\\` → `\`, `\s`, `\n`, `\t`, `\r`), then the arguments (double quotes, inside them
 * a backslash escapes `"`, `` ` ``, `$` and `\`), then `%%` → `%`.
 */
function readExecAsTheSpecSays(value: string): string[] {
  const escapes: Record<string, string> = { '\\': '\\', s: ' ', n: '\n', t: '\t', r: '\r' };
  const unescaped = value.replace(/\\(.)/g, (whole, c: string) => escapes[c] ?? whole);
  const args: string[] = [];
  let current: string | null = null;
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i]!;
    if (c === ' ') {
      if (current !== null) args.push(current);
      current = null;
    } else if (c === '"') {
      current ??= '';
      for (i++; unescaped[i] !== '"'; i++) {
        if (i >= unescaped.length) throw new Error('unterminated quote');
        if (unescaped[i] === '\\' && '"`$\\'.includes(unescaped[i + 1] ?? '')) i++;
        current += unescaped[i];
      }
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== null) args.push(current);
  return args.map((a) => a.replace(/%%/g, '%'));
}

const senderOf = (s: Started, overrides: { webContentsId?: number; frameUrl?: string | null } = {}) => ({
  webContentsId: s.electron.window?.webContentsId ?? -1,
  frameUrl: `${s.app.backend.url}/`,
  ...overrides,
});

describe('the window', () => {
  it('is created sandboxed, context-isolated, without Node, with the preload, and shows the UI', async () => {
    const s = await start();
    const win = s.electron.window;
    expect(win?.options.webPreferences).toEqual({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
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

/**
 * Loads the real `main/preload.cts` (transpiled to CommonJS as the build does) and runs it with a
 * stand-in for `electron`: its `ipcRenderer.invoke` goes over the fake's IPC as the app window's
 * would (from `sender`), and what it passes to `contextBridge.exposeInMainWorld` is what the window
 * gets as `window.missionControl`. No copy of the preload lives here, so the two cannot drift. Other
 * modules it may require (a bridge table of backend/contract) are loaded the same way.
 */
function loadCommonJs(file: string, fakes: Record<string, unknown>, cache = new Map<string, unknown>()): unknown {
  const hit = cache.get(file);
  if (hit) return hit;
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const module = { exports: {} as unknown };
  cache.set(file, module.exports);
  const nodeRequire = createRequire(file);
  const require = (name: string): unknown => {
    if (name in fakes) return fakes[name];
    if (!name.startsWith('.')) return nodeRequire(name);
    const base = resolve(dirname(file), name).replace(/\.(c|m)?js$/, '');
    const source = ['.ts', '.cts', '.mts'].map((ext) => base + ext).find((f) => existsSync(f));
    if (!source) throw new Error(`the preload requires ${name}, which is not a TypeScript module here`);
    return loadCommonJs(source, fakes, cache);
  };
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports;
}

function preloadBridge(s: Started, sender = senderOf(s)): DesktopBridge {
  const exposed: Record<string, unknown> = {};
  const electron = {
    ipcRenderer: { invoke: (channel: string, ...args: unknown[]) => s.electron.invoke(channel, sender, ...args) },
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
  };
  loadCommonJs(join(process.cwd(), 'main', 'preload.cts'), { electron });
  const bridge = exposed.missionControl as DesktopBridge | undefined;
  if (!bridge) throw new Error('main/preload.cts exposed no window.missionControl');
  return bridge;
}

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

describe('start at login from the Settings page (IPC)', () => {
  it('reads and sets the same login item as the tray: the XDG entry is written and the tray checkbox follows', async () => {
    const s = await start();
    const bridge = adaptBridge(preloadBridge(s));
    const file = join(s.autostartDir, AUTOSTART_FILE);
    const item = () => s.electron.trays[0]!.menu.find((i) => i.type === 'checkbox' && i.id === TRAY_ACTIONS.startAtLogin);
    expect(await bridge.getStartAtLogin!()).toBe(false);
    expect(await bridge.setStartAtLogin!(true)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('--hidden');
    expect(item()).toMatchObject({ checked: true });
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin); // off from the tray…
    expect(await bridge.getStartAtLogin!()).toBe(false); // …is what the page reads
    expect(existsSync(file)).toBe(false);
  });

  it('refuses other senders and bad arguments, and changes nothing', async () => {
    const s = await start();
    await expect(s.electron.invoke('mc:set-start-at-login', senderOf(s, { webContentsId: 9999 }), { enabled: true })).rejects.toThrow(
      /not the Mission Control window/,
    );
    await expect(s.electron.invoke('mc:get-start-at-login', senderOf(s, { frameUrl: null }))).rejects.toThrow(
      /not the Mission Control window/,
    );
    await expect(s.electron.invoke('mc:set-start-at-login', senderOf(s), { enabled: 'yes' })).rejects.toThrow(/0\.enabled/);
    await expect(s.electron.invoke('mc:set-start-at-login', senderOf(s), { enabled: true, also: 1 })).rejects.toThrow(/invalid arguments/);
    await expect(s.electron.invoke('mc:set-start-at-login', senderOf(s))).rejects.toThrow(/invalid arguments/);
    expect(existsSync(join(s.autostartDir, AUTOSTART_FILE))).toBe(false);
  });

  it('Windows: the Electron login item, opened with --hidden', async () => {
    const win = await start({ platform: 'win32' });
    expect(await adaptBridge(preloadBridge(win)).setStartAtLogin!(true)).toBe(true);
    expect(win.electron.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
  });
});

describe('the tray', () => {
  it('shows the fleet and works with no window open', async () => {
    const s = await start({ argv: ['--hidden'] });
    expect(s.electron.windows).toHaveLength(0); // --hidden: tray only
    const tray = s.electron.trays[0]!;
    expect(tray.labels()).toContain('No gateways yet');
    expect(tray.labels()).toContain('0 online · 0 provisioning · 0 offline');
    expect(tray.toolTip).toContain('OpenClaw Mission Control');
    // No gateways, nobody stuck: the actions that need them are disabled.
    expect(() => tray.clickItem(TRAY_ACTIONS.syncTemplates)).toThrow(/not clickable/);
    expect(() => tray.clickItem(TRAY_ACTIONS.wakeStuck)).toThrow(/not clickable/);

    tray.clickItem(TRAY_ACTIONS.troubleshoot);
    expect(s.electron.window?.loaded).toEqual([`${s.app.backend.url}/#/troubleshoot`]);
    s.electron.window?.hide();
    tray.click();
    expect(s.electron.windows).toHaveLength(1);
    expect(s.electron.window?.visible).toBe(true);
  });

  it('follows a gateway’s connection from the gateway feed, not the 30 s reconcile: one that cannot connect shows as unreachable', async () => {
    const s = await start({ argv: ['--hidden'] });
    const res = await fetch(`${s.app.backend.url}/api/v1/gateways`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.app.backend.localToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Nowhere', url: 'ws://127.0.0.1:9', allow_offline: true }),
    });
    expect(res.status).toBe(200);
    const tray = s.electron.trays[0]!;
    // Well inside the reconcile period: only the feed can have told the tray.
    for (let i = 0; i < 100 && !tray.labels().includes('1 gateway unreachable'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(tray.labels()).toContain('1 gateway unreachable');
    expect(s.app.trayModel().health).toBe('offline'); // every saved gateway is down
    expect(tray.menu.some((i) => i.type === 'action' && i.id === TRAY_ACTIONS.syncTemplates && i.enabled)).toBe(true);
  });

  it('says so when secrets fall back to plain text, and not when the OS keychain is there', async () => {
    const plain = await start({ keychain: 'basic_text' });
    expect(plain.electron.trays[0]!.labels()[0]).toMatch(/^⚠ No system keyring/);
    const boot = (await plain.electron.invoke('mc:bootstrap', senderOf(plain))) as { secret_storage: { kind: string; warning: string } };
    expect(boot.secret_storage.kind).toBe('plaintext');
    expect(boot.secret_storage.warning).toMatch(/0600/);

    const keychain = await start({ keychain: 'available' });
    expect(keychain.electron.trays[0]!.labels().some((l) => l.startsWith('⚠'))).toBe(false);
    const boot2 = (await keychain.electron.invoke('mc:bootstrap', senderOf(keychain))) as { secret_storage: { kind: string } };
    expect(boot2.secret_storage.kind).toBe('os');
  });

  it('with the OS keychain: gateway tokens sealed in the database, and no local token file (the CLI asks over the socket)', async () => {
    const token = `desktop-gw-${'t'.repeat(30)}`;
    const create = async (s: Started) => {
      const res = await fetch(`${s.app.backend.url}/api/v1/gateways`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.app.backend.localToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Desktop', url: 'ws://127.0.0.1:9', token, allow_offline: true }),
      });
      expect(res.status).toBe(200);
    };
    const stored = (s: Started) =>
      (s.app.backend.services.ctx.sqlite.prepare('SELECT token FROM gateways').get() as { token: string }).token;

    const keychain = await start({ keychain: 'available' });
    await create(keychain);
    expect(stored(keychain)).toMatch(/^mc-sealed:v1:/);
    expect(stored(keychain)).not.toContain(token);
    expect(existsSync(join(keychain.dataDir, 'local-auth-token'))).toBe(false);
    expect(existsSync(join(keychain.dataDir, 'control.sock'))).toBe(true);

    const plain = await start({ keychain: 'basic_text' });
    await create(plain);
    expect(stored(plain)).toBe(token); // no keychain: plain in the 0600 database, as the tray's warning says
    expect(existsSync(join(plain.dataDir, 'local-auth-token'))).toBe(true);
    expect(existsSync(join(plain.dataDir, 'control.sock'))).toBe(false);

    const windows = await start({ keychain: 'available', platform: 'win32' });
    expect(existsSync(join(windows.dataDir, 'local-auth-token'))).toBe(true); // no unix socket permissions there
  });
});

describe('close to tray, start at login', () => {
  it('closing the window hides it while the setting is on, and closes it (then quits) when off', async () => {
    const s = await start();
    const first = s.electron.window!;
    expect(first.userClose()).toBe(false);
    expect(first.visible).toBe(false);
    expect(s.electron.quitCalls).toBe(0);

    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.closeToTray);
    expect(JSON.parse(readFileSync(join(s.dataDir, 'desktop-settings.json'), 'utf8'))).toEqual({ closeToTray: false });
    s.app.showWindow();
    expect(first.userClose()).toBe(true);
    s.electron.allWindowsClosed();
    expect(s.electron.quitCalls).toBe(1);
    await s.app.stopped();
  });

  it('Linux: start at login writes and removes an XDG autostart entry that starts hidden', async () => {
    const s = await start();
    const file = join(s.autostartDir, AUTOSTART_FILE);
    const item = () => s.electron.trays[0]!.menu.find((i) => i.type === 'checkbox' && i.id === TRAY_ACTIONS.startAtLogin);
    expect(item()).toMatchObject({ checked: false });
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    const entry = readFileSync(file, 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/opt/Mission Control/mission-control" --hidden');
    expect(item()).toMatchObject({ checked: true });
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    expect(existsSync(file)).toBe(false);
    expect(item()).toMatchObject({ checked: false });
  });

  it('Linux: the Exec line survives a path with quotes, backslashes, $ and % (Desktop Entry spec escaping)', async () => {
    const command = ['/opt/My "Apps"\\bin/$HOME/mc', '/srv/app 100%'];
    const s = await start({ launchCommand: command });
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    const exec = readFileSync(join(s.autostartDir, AUTOSTART_FILE), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Exec='))!;
    // The spec's own rule: a literal backslash in a quoted argument is four backslashes, a $ is \\$.
    expect(exec).toBe(String.raw`Exec="/opt/My \\"Apps\\"\\\\bin/\\$HOME/mc" "/srv/app 100%%" --hidden`);
    expect(readExecAsTheSpecSays(exec.slice('Exec='.length))).toEqual([...command, '--hidden']);
  });

  it('Linux: a command with a newline is refused, not written as a second line of the entry', async () => {
    const s = await start({ launchCommand: ['/opt/mc\nTerminal=true'] });
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    await new Promise((r) => setImmediate(r));
    expect(existsSync(join(s.autostartDir, AUTOSTART_FILE))).toBe(false);
    expect(s.electron.trays[0]!.menu.find((i) => i.type === 'checkbox' && i.id === TRAY_ACTIONS.startAtLogin)).toMatchObject({
      checked: false,
    });
  });

  it('Linux: the entry is replaced in one step (a new file renamed over the old), never rewritten in place', async () => {
    const s = await start();
    const file = join(s.autostartDir, AUTOSTART_FILE);
    // An entry the desktop's settings switched off (Hidden=true): enabling again replaces it.
    mkdirSync(s.autostartDir, { recursive: true });
    writeFileSync(file, '[Desktop Entry]\nType=Application\nExec=/old/mc --hidden\nHidden=true\n');
    const before = statSync(file).ino;
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    expect(readFileSync(file, 'utf8')).not.toContain('Hidden=true');
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(s.autostartDir)).toEqual([AUTOSTART_FILE]);
  });

  it('macOS: a launch by the login item opens no window, though macOS passes it no --hidden', async () => {
    const byUser = await start({ platform: 'darwin' });
    expect(byUser.electron.windows).toHaveLength(1);
    byUser.electron.trays[0]!.clickItem(TRAY_ACTIONS.startAtLogin);
    expect(byUser.electron.loginItem.openAtLogin).toBe(true);
    expect(existsSync(join(byUser.autostartDir, AUTOSTART_FILE))).toBe(false);

    // What the OS does at the next login: start the app with no arguments, flagged as a login launch.
    const atLogin = await start({ platform: 'darwin', wasOpenedAtLogin: true });
    expect(atLogin.electron.windows).toHaveLength(0);
    expect(atLogin.electron.trays).toHaveLength(1);
    atLogin.electron.trays[0]!.click();
    expect(atLogin.electron.windows).toHaveLength(1);
  });
});

describe('one instance', () => {
  it('a second launch leaves at once and starts nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-main-'));
    dirs.push(dataDir);
    const electron = new FakeElectron({ gotLock: false });
    const app = await runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
    });
    expect(app).toBeNull();
    expect(electron.quitCalls).toBe(1);
    expect(electron.windows).toHaveLength(0);
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false);
  });

  it('the first instance shows (and focuses) its window when a second one is launched', async () => {
    const s = await start({ argv: ['--hidden'] });
    expect(s.electron.windows).toHaveLength(0);
    s.electron.launchSecondInstance(['mission-control']);
    expect(s.electron.windows).toHaveLength(1);
    const win = s.electron.window!;
    win.hide();
    win.minimized = true;
    s.electron.launchSecondInstance([]);
    expect(s.electron.windows).toHaveLength(1);
    expect(win).toMatchObject({ visible: true, minimized: false, focused: true });
  });

  it('a backend already running on the data dir is reported, not doubled', async () => {
    const s = await start();
    const electron = new FakeElectron();
    const app = await runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: s.dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
    });
    expect(app).toBeNull();
    expect(electron.errors[0]?.title).toBe('Mission Control is already running');
    expect(electron.exitCodes).toEqual([1]);
  });
});

describe('quit', () => {
  it('holds the process until the scheduler is stopped and the database closed, then exits 0', async () => {
    const s = await start();
    const { backend } = s.app;
    expect(existsSync(join(s.dataDir, 'instance.json'))).toBe(true);
    // Let the scheduler tick at least once, so "it stopped ticking" below means something.
    for (let i = 0; i < 40 && !backend.services.wakeLadder.lastTickAt; i++) await new Promise((r) => setTimeout(r, 100));
    expect(backend.services.wakeLadder.lastTickAt).not.toBeNull();
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.quit);
    expect(s.electron.exitCodes).toEqual([]); // not before the backend stopped
    await s.electron.exitedPromise;
    expect(s.electron.exitCodes).toEqual([0]);
    expect(() => backend.services.ready()).toThrow(/not open/);
    expect(existsSync(join(s.dataDir, 'instance.json'))).toBe(false);
    await expect(fetch(`${backend.url}/healthz`)).rejects.toThrow();
    // The scheduler no longer ticks: waiting past its interval changes nothing.
    const lastTick = backend.services.wakeLadder.lastTickAt;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(backend.services.wakeLadder.lastTickAt).toBe(lastTick);
    expect(s.electron.trays[0]!.destroyed).toBe(true);
    // After quitting, the window closes for real (no close-to-tray).
    expect(s.electron.window!.userClose()).toBe(true);
    running.splice(running.indexOf(s), 1);
  });

  it('a backend that does not stop: the quit gives up after its time limit, logs desktop.quit_timeout, closes the database all the same and exits 1', async () => {
    // A fault the real backend cannot produce on demand: a stop that never finishes (a hung DB close, say).
    let real: RunningBackend | undefined;
    const FakeHangingStopBackend: typeof startBackend = async (config, opts) => {
      real = await startBackend(config, opts);
      return { ...real, stop: () => new Promise<void>(() => {}) };
    };
    const s = await start({ env: { MC_LOG_LEVEL: 'info' }, startBackend: FakeHangingStopBackend, quitTimeoutMs: 300 });
    running.splice(running.indexOf(s), 1);
    try {
      s.electron.trays[0]!.clickItem(TRAY_ACTIONS.quit);
      await within(s.electron.exitedPromise, 5_000, 'the quit did not exit');
      expect(s.electron.exitCodes).toEqual([1]);
      const lines = readFileSync(join(s.dataDir, 'logs', 'mission-control.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; level: number; timeout_ms?: number });
      expect(lines.find((l) => l.event === 'desktop.quit_timeout')).toMatchObject({ level: 50, timeout_ms: 300 });
      // The database was closed before the exit (WAL checkpointed: no -wal left, or an empty one).
      expect(() => real!.services.ready()).toThrow(/not open/);
      const wal = join(s.dataDir, 'mission-control.db-wal');
      expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    } finally {
      await real?.stop().catch(() => {}); // its log file is already closed; the DB and port are what matter
    }
  });

  it('a quit during startup waits for the backend, then stops it: no window, no tray, exit 0, database closed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-main-'));
    dirs.push(dataDir);
    let backend: RunningBackend | undefined;
    let startCalled!: () => void;
    const called = new Promise<void>((resolve) => (startCalled = resolve));
    let finishStart!: () => void;
    const gate = new Promise<void>((resolve) => (finishStart = resolve));
    // A slow start held open on purpose, so the quit lands while the backend is still starting.
    const FakeSlowStartBackend: typeof startBackend = async (config, opts) => {
      startCalled();
      backend = await startBackend(config, opts);
      await gate;
      return backend;
    };
    const electron = new FakeElectron();
    const launching = runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
      startBackend: FakeSlowStartBackend,
    });
    await called;
    electron.quit();
    expect(electron.unheldQuits).toBe(0); // held: the process does not end with the backend half started
    finishStart();
    expect(await launching).toBeNull();
    await within(electron.exitedPromise, 5_000, 'the quit did not exit');
    expect(electron.exitCodes).toEqual([0]);
    expect(electron.windows).toHaveLength(0);
    expect(electron.trays).toHaveLength(0);
    expect(() => backend!.services.ready()).toThrow(/not open/);
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false);
  });
});

describe('start failures', () => {
  // A fault a real backend cannot produce here: better-sqlite3 built for another Node ABI (Electron's).
  const FakeNativeMismatchBackend = async (): Promise<never> => {
    throw new Error(
      'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version requires 139.',
    );
  };
  const launch = (env: NodeJS.ProcessEnv) => {
    const electron = new FakeElectron();
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-main-'));
    dirs.push(dataDir);
    const app = runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_LOG_LEVEL: 'silent', ...env },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
      startBackend: FakeNativeMismatchBackend,
    });
    return { electron, app };
  };

  it('native modules built for Node: a dialog that says how to fix it', async () => {
    const { electron, app } = launch({});
    expect(await app).toBeNull();
    expect(electron.errors[0]?.message).toMatch(/makes an Electron copy in \.native\//);
    expect(electron.exitCodes).toEqual([1]);
  });

  it('…and from `npm start`, exit code 78 without a dialog, so it serves headless instead', async () => {
    const { electron, app } = launch({ MC_NATIVE_FALLBACK: '1' });
    expect(await app).toBeNull();
    expect(electron.errors).toEqual([]);
    expect(electron.exitCodes).toEqual([78]);
  });
});
