/*
 * The preload of the app window (CommonJS: sandboxed preloads cannot be ES modules, and may require
 * only `electron`). It exposes a narrow, typed bridge as `window.missionControl`; main checks the
 * sender and parses every argument again.
 */
// A sandboxed preload is CommonJS: `import x = require()` is how TypeScript writes that.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { BridgeChannel, DesktopBridge } from '../backend/contract/desktop-bridge.js';

const invoke = (channel: BridgeChannel, ...args: unknown[]) => electron.ipcRenderer.invoke(channel, ...args);

const bridge: DesktopBridge = {
  bootstrap: () => invoke('mc:bootstrap'),
  openExternal: async (input) => {
    await invoke('mc:open-external', { url: input.url });
  },
  revealFolder: async (input) => {
    await invoke('mc:reveal-folder', { folder: input.folder });
  },
  getStartAtLogin: () => invoke('mc:get-start-at-login'),
  setStartAtLogin: (input) => invoke('mc:set-start-at-login', { enabled: input.enabled }),
  getRunAtBoot: () => invoke('mc:get-run-at-boot'),
  setRunAtBoot: (input) => invoke('mc:set-run-at-boot', { enabled: input.enabled }),
};

electron.contextBridge.exposeInMainWorld('missionControl', bridge);
