import type { ApiClientOptions } from './api/client.js';
import type { MissionControlBridge } from './bridge.js';

/** What the desktop app told the renderer at start (never the token: that stays in the API client). */
export interface DesktopInfo {
  version: string;
  platform: string;
  /** Shown to the user when secrets are kept in plain 0600 files (no OS keychain). */
  secretStorageWarning: string | null;
}

export interface Connection {
  apiOptions: ApiClientOptions;
  /** Inside the desktop app (the bridge answered): the UI never asks for the token. */
  desktop: DesktopInfo | null;
  /** The bridge is there but did not answer: the sign-in page says so. */
  problem: string | null;
}

/**
 * How the renderer reaches the API. Inside Electron the preload bridge hands over the API URL and the
 * local token, sent as a bearer header on every request (the sign-in page is never shown). In a
 * browser there is no bridge: same origin, and the HttpOnly session cookie from the login link.
 */
export async function connect(bridge: MissionControlBridge | null): Promise<Connection> {
  const browser: ApiClientOptions = { baseUrl: '' };
  if (!bridge) return { apiOptions: browser, desktop: null, problem: null };
  try {
    const boot = await bridge.bootstrap();
    return {
      apiOptions: { baseUrl: boot.api_url.replace(/\/+$/, ''), getToken: () => boot.token },
      desktop: { version: boot.version, platform: boot.platform, secretStorageWarning: boot.secret_storage.warning },
      problem: null,
    };
  } catch (err) {
    return {
      apiOptions: browser,
      desktop: null,
      problem: `The desktop app did not hand over its token (${err instanceof Error ? err.message : String(err)}).`,
    };
  }
}
