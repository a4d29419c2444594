/*
 * The preload of the app window (CommonJS: sandboxed preloads cannot be ES modules, and may require
 * only `electron`). It exposes a narrow, typed bridge as `window.missionControl`; main checks the
 * sender and parses every argument again.
 *
 * The bridge's table (backend/contract/desktop-bridge.ts) cannot be required here at run time, so the
 * channel map below is checked against it by the compiler (`satisfies`: a method missing, extra or on
 * another channel fails the typecheck) and by test/unit/desktop-bridge.test.ts, which loads this file.
 */
// A sandboxed preload is CommonJS: `import x = require()` is how TypeScript writes that.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { BRIDGE_CHANNELS, DesktopBridge } from '../backend/contract/desktop-bridge.js';

const CHANNELS = {
  bootstrap: 'mc:bootstrap',
  openExternal: 'mc:open-external',
  revealFolder: 'mc:reveal-folder',
  getStartAtLogin: 'mc:get-start-at-login',
  setStartAtLogin: 'mc:set-start-at-login',
  getRunAtBoot: 'mc:get-run-at-boot',
  setRunAtBoot: 'mc:set-run-at-boot',
} as const satisfies typeof BRIDGE_CHANNELS; // a missing, extra or renamed channel fails the typecheck

const bridge = Object.fromEntries(
  Object.entries(CHANNELS).map(([method, channel]) => [method, (...args: unknown[]) => electron.ipcRenderer.invoke(channel, ...args)]),
) as unknown as DesktopBridge;

electron.contextBridge.exposeInMainWorld('missionControl', bridge);
