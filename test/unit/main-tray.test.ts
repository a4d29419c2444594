import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTOSTART_FILE } from '../../main/login-item.js';
import { TRAY_ACTIONS } from '../../main/tray-model.js';
import { adaptBridge } from '../../renderer/src/model/bridge.js';
import { preloadBridge, readExecAsTheSpecSays, senderOf, start, stopDesktops, type Started } from './main-harness.js';

/*
 * main/ through the facade, around a real backend: the tray, start at login (from Settings and the
 * tray), close to tray and --hidden.
 */

afterEach(stopDesktops);

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
