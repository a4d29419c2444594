import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import electron from 'electron';
import { runDesktop } from './app.js';
import { createElectronFacade } from './electron-facade.js';
import { launchCommand } from './login-item.js';

/* The Electron entry point (package.json `main`): the real facade, the process's arguments. */

const here = dirname(fileURLToPath(import.meta.url));

runDesktop({
  electron: createElectronFacade(),
  argv: process.argv.slice(1),
  env: process.env,
  preloadPath: join(here, 'preload.cjs'),
  appPath: electron.app.getAppPath(),
  launchCommand: launchCommand({
    env: process.env,
    execPath: process.execPath,
    isPackaged: electron.app.isPackaged,
    appPath: electron.app.getAppPath(),
  }),
})
  .then((app) => {
    // For the Electron e2e spec (Playwright's `electronApp.evaluate` runs in this process); the
    // renderer cannot reach it.
    (globalThis as { missionControlDesktop?: unknown }).missionControlDesktop = app;
  })
  .catch((err: unknown) => {
    console.error('mission-control: the desktop app failed to start:', err);
    electron.app.exit(1);
  });
