/**
 * The Electron preload bridge (`window.missionControl`), when the renderer runs inside the desktop
 * app. The browser build works without it: every member is optional and detected, never required.
 */
export interface MissionControlBridge {
  /** API origin and the local token, so the renderer never asks the user for it. */
  bootstrap?: () => Promise<{ apiUrl: string; token: string }>;
  openExternal?: (url: string) => Promise<void> | void;
  /** Show a folder in the system file manager (`data` or `logs`). */
  revealFolder?: (which: 'data' | 'logs') => Promise<void> | void;
  getStartAtLogin?: () => Promise<boolean>;
  setStartAtLogin?: (enabled: boolean) => Promise<void>;
}

declare global {
  interface Window {
    missionControl?: MissionControlBridge;
  }
}

export function getBridge(): MissionControlBridge | null {
  const bridge = typeof window === 'undefined' ? undefined : window.missionControl;
  return bridge && typeof bridge === 'object' ? bridge : null;
}
