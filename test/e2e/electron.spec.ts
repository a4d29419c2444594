import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesktopBootstrap } from '../../backend/contract/desktop-bridge.js';
import type { TrayModel } from '../../main/tray-model.js';
import { findElectron } from '../../scripts/electron-binary.mjs';

/*
 * The real desktop app: launch Electron on the built app, the window shows the overview, the preload
 * bridge answers, the page has no Node, and the tray model reflects the fleet. Runs where the
 * Electron binary exists (and a display); elsewhere it is skipped, saying why.
 */

const { binary, reason } = findElectron();
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
    env: { ...process.env, MC_LOG_LEVEL: 'warn' },
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

  // A UI that does not read the bridge yet asks for the token once; sign in with it.
  const signIn = page.getByLabel('Local token');
  if (await signIn.isVisible().catch(() => false)) {
    await signIn.fill(boot.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();

  const model = await app.evaluate(() =>
    (globalThis as unknown as { missionControlDesktop: { trayModel(): TrayModel } }).missionControlDesktop.trayModel(),
  );
  expect(model.health).toBe('ok');
  expect(model.counts).toEqual({ online: 0, provisioning: 0, offline: 0 });
  expect(model.menu.some((i) => 'label' in i && i.label === 'Quit Mission Control')).toBe(true);
});
