import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DesktopBootstrap } from '../../backend/contract/desktop-bridge.js';
import type { TrayModel } from '../../main/tray-model.js';
import { findElectron } from '../../scripts/electron-binary.mjs';
import { electronBinding } from '../../scripts/electron-native.mjs';

/*
 * The real desktop app: launch Electron on the built app, the window shows the overview, the preload
 * bridge answers, the page has no Node, and the tray model reflects the fleet. Runs where the
 * Electron binary exists, a display, and better-sqlite3 for Electron (made in .native/ as `npm start`
 * does); elsewhere it is skipped, saying which is missing. The preload is the one the build compiles
 * from main/preload.cts (dist/main/preload.cjs), as in the packaged app.
 */

const found = findElectron();
// The main process runs on better-sqlite3 built for Electron: the same .native/ copy `npm start` makes
// (node_modules keeps the Node build the other suites load).
const binding = found.binary
  ? electronBinding(
      process.cwd(),
      readFileSync(join(dirname(found.binary), 'version'), 'utf8')
        .trim()
        .replace(/^v/, ''),
    )
  : null;
const binary = found.binary;
const reason = found.reason ?? binding?.reason ?? null;
if (reason) console.warn(`SKIPPED electron e2e: ${reason}`);
test.skip(reason !== null, `electron e2e: ${reason ?? ''}`);

let app: ElectronApplication | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'mc-electron-e2e-'));

test.afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('launch → the window shows the overview → the tray model reflects the fleet', async () => {
  app = await electron.launch({
    executablePath: binary ?? undefined,
    args: [process.cwd(), '--port', '0', '--data-dir', dataDir],
    // Start at login writes its XDG autostart entry under XDG_CONFIG_HOME: keep it in the throwaway dir.
    env: { ...process.env, MC_LOG_LEVEL: 'warn', XDG_CONFIG_HOME: dataDir, MC_SQLITE_NATIVE_BINDING: binding?.file ?? '' },
  });
  const page = await app.firstWindow();
  await expect(page).toHaveTitle('OpenClaw Mission Control');

  // The page has no Node; the bridge gives it the API and the token.
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  const boot = await page.evaluate(() =>
    (globalThis as unknown as { missionControl: { bootstrap(): Promise<DesktopBootstrap> } }).missionControl.bootstrap(),
  );
  expect(boot.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(new URL(page.url()).origin).toBe(boot.api_url);

  // The UI signs in from the bridge's bootstrap(): no sign-in page, no sign-out button.
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByLabel('Local token')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

  // Settings inside the desktop app: the start-at-login switch and Show in folder, through the bridge.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  // Run at boot is offered (not switched here: it would install a service for this machine's user).
  await expect(page.getByRole('switch', { name: 'Run at boot without a window' })).toBeVisible();
  const loginSwitch = page.getByRole('switch', { name: 'Start at login' });
  await expect(loginSwitch).not.toBeChecked();
  await expect(loginSwitch).toBeEnabled();
  await loginSwitch.check();
  await expect(loginSwitch).toBeChecked();
  expect(existsSync(join(dataDir, 'autostart', 'openclaw-mission-control.desktop'))).toBe(true);
  await loginSwitch.uncheck();
  await expect(loginSwitch).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Show in folder' }).first()).toBeVisible();

  const model = await app.evaluate(() =>
    (globalThis as unknown as { missionControlDesktop: { trayModel(): TrayModel } }).missionControlDesktop.trayModel(),
  );
  expect(model.health).toBe('ok');
  expect(model.counts).toEqual({ online: 0, provisioning: 0, offline: 0 });
  expect(model.menu.some((i) => 'label' in i && i.label === 'Quit Mission Control')).toBe(true);
});
