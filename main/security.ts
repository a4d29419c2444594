import type { ElectronFacade, WebPreferences, WindowHandle } from './facade.js';

/*
 * The window's security policy, as data and small decisions (each unit-tested through the facade):
 * the page is the backend's UI on loopback; it gets no Node, no navigation away, no new windows,
 * no permissions, and a strict CSP on everything the session loads.
 */

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
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
  };
}

/** Applied by the session to every response, whatever the backend sent. */
export const WINDOW_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export type NavigationDecision = 'allow' | 'external' | 'deny';

/**
 * Where may a link go? Inside the app's origin: stay. An http(s) link elsewhere: the system browser.
 * Anything else (file:, javascript:, data:, custom schemes): nowhere.
 */
export function decideNavigation(target: string, appOrigin: string): NavigationDecision {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'deny';
  }
  if (url.origin === appOrigin) return 'allow';
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '') return 'external';
  return 'deny';
}

/** Open a link in the system browser, only if the policy says it is external. */
export async function openExternalSafely(electron: ElectronFacade, target: string, appOrigin: string): Promise<boolean> {
  if (decideNavigation(target, appOrigin) !== 'external') return false;
  await electron.openExternal(new URL(target).toString());
  return true;
}

/** Navigation, redirect, window-open and webview guards for the app window. */
export function guardWindow(electron: ElectronFacade, window: WindowHandle, appOrigin: string): void {
  window.onWillNavigate((event) => {
    if (decideNavigation(event.url, appOrigin) === 'allow') return;
    event.preventDefault();
    void openExternalSafely(electron, event.url, appOrigin);
  });
  // A redirect is the server's choice, not a click: it may stay in the app, and never opens the browser.
  window.onWillRedirect((event) => {
    if (decideNavigation(event.url, appOrigin) !== 'allow') event.preventDefault();
  });
  window.setWindowOpenHandler((url) => {
    void openExternalSafely(electron, url, appOrigin);
    return 'deny';
  });
  window.onWillAttachWebview((event) => event.preventDefault());
}

/** Every permission (camera, notifications from the page, geolocation, …) is refused; CSP on every response. */
export function secureSession(electron: ElectronFacade): void {
  electron.session.setPermissionRequestHandler(() => false);
  electron.session.setPermissionCheckHandler(() => false);
  electron.session.onHeadersReceived((_url, headers) => {
    const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
    return { ...kept, 'Content-Security-Policy': [WINDOW_CSP] };
  });
}
