import './zod-config';
import {
  DESKTOP_BRIDGE,
  type BridgeArgs,
  type BridgeMethod,
  type BridgeResult,
  type DesktopBootstrap,
  type DesktopBridge,
  type RunAtBoot,
} from '../../../backend/contract/desktop-bridge.js';

/**
 * The Electron preload bridge (`window.missionControl`, contract in backend/contract/desktop-bridge.ts)
 * as the pages use it, when the renderer runs inside the desktop app. The browser build works without
 * it: it is detected, never required. Answers are parsed with the contract's schemas.
 */
export interface MissionControlBridge {
  /** API URL and the local token (plus version and how secrets are stored), so the desktop UI never asks for it. */
  bootstrap: () => Promise<DesktopBootstrap>;
  openExternal?: (url: string) => Promise<void>;
  /** Show a folder in the system file manager (`data` or `logs`). */
  revealFolder?: (which: 'data' | 'logs') => Promise<void>;
  getStartAtLogin?: () => Promise<boolean>;
  /** Resolves to the state read back from the OS after the change. */
  setStartAtLogin?: (enabled: boolean) => Promise<boolean>;
  /** Run at boot without a window (systemd user unit / launchd agent), as the OS has it after the call. */
  getRunAtBoot?: () => Promise<RunAtBoot>;
  setRunAtBoot?: (enabled: boolean) => Promise<RunAtBoot>;
}

declare global {
  interface Window {
    missionControl?: DesktopBridge;
  }
}

/** The pages' view of the preload's bridge: every answer is parsed with its entry's `result` in the bridge's table. */
export function adaptBridge(raw: DesktopBridge): MissionControlBridge {
  const call = async <K extends BridgeMethod>(method: K, ...args: BridgeArgs<K>): Promise<BridgeResult<K>> =>
    DESKTOP_BRIDGE[method].result.parse(await (raw[method] as (...a: BridgeArgs<K>) => Promise<unknown>)(...args)) as BridgeResult<K>;
  return {
    bootstrap: () => call('bootstrap'),
    openExternal: (url) => call('openExternal', { url }),
    revealFolder: (folder) => call('revealFolder', { folder }),
    getStartAtLogin: async () => (await call('getStartAtLogin')).enabled,
    setStartAtLogin: async (enabled) => (await call('setStartAtLogin', { enabled })).enabled,
    getRunAtBoot: () => call('getRunAtBoot'),
    setRunAtBoot: (enabled) => call('setRunAtBoot', { enabled }),
  };
}

export function getBridge(): MissionControlBridge | null {
  const raw = typeof window === 'undefined' ? undefined : window.missionControl;
  return raw && typeof raw === 'object' && typeof raw.bootstrap === 'function' ? adaptBridge(raw) : null;
}
