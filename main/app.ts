import { join } from 'node:path';
import { InstanceRunningError, loadConfig, sqliteNativeBinding, startBackend, type RunningBackend } from '../backend/index.js';
import type { DesktopBootstrap } from '../backend/contract/desktop-bridge.js';
import { createApiActions, type ActionResult, type ApiActions } from './api-actions.js';
import { splitArgs } from './args.js';
import type { ElectronFacade, TrayHandle, WindowHandle } from './facade.js';
import { backendFleetSource, createFleetMonitor } from './fleet.js';
import { appIcon, trayIcon } from './icons.js';
import { registerIpc } from './ipc.js';
import { runAtBootFor } from './run-at-boot.js';
import { launchedByLoginItem, loginItemFor, type LoginItem } from './login-item.js';
import { createOfflineNotifier } from './notifier.js';
import { guardWindow, secureSession, secureWebPreferences } from './security.js';
import { keychainSecretStore, secretStorageStatus } from './secrets.js';
import { settingsStore } from './settings.js';
import { buildTrayModel, TRAY_ACTIONS, type FleetState, type TrayModel } from './tray-model.js';

/*
 * The desktop app's wiring: one instance, the backend in this process, a tray that works with no
 * window, a window that is only a view (closing it keeps the wake ladder running), and a quit that
 * stops the scheduler and closes the database before the process ends.
 */

/** Exit code when native modules were built for Node instead of Electron (`npm start` falls back to headless). */
export const NATIVE_MISMATCH_EXIT = 78;
const NATIVE_MISMATCH_HINT =
  'better-sqlite3 is built for Node, not for Electron. Packaged builds are rebuilt for Electron; from a checkout ' +
  '`npm start` makes an Electron copy in .native/ (delete it to have it made again): see docs/release.md.';

/** How long a quit waits for the backend to stop before it exits anyway (code 1). */
export const QUIT_TIMEOUT_MS = 10_000;

export interface DesktopOptions {
  electron: ElectronFacade;
  /** Command-line arguments (Electron's and Chromium's are ignored). */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The built preload script (dist/main/preload.cjs). */
  preloadPath: string;
  /** What a login entry starts (see login-item.ts `launchCommand`). */
  launchCommand: string[];
  /** The app's folder (Electron's app path): where dist/backend/cli.js is for run at boot. */
  appPath?: string;
  /** Linux: where the XDG autostart entry goes (default `$XDG_CONFIG_HOME/autostart`). */
  autostartDir?: string;
  startBackend?: typeof startBackend;
  fetch?: typeof fetch;
  gatewayPollMs?: number;
  quitTimeoutMs?: number;
}

export interface DesktopApp {
  readonly backend: RunningBackend;
  window(): WindowHandle | null;
  trayModel(): TrayModel;
  /** What a click on a tray item does (the tray calls this with the item's id). */
  runTrayAction(id: string): Promise<void>;
  showWindow(route?: string): void;
  /** Resolves when the app has stopped everything after a quit. */
  stopped(): Promise<void>;
}

export async function runDesktop(options: DesktopOptions): Promise<DesktopApp | null> {
  const { electron } = options;
  // A second launch hands over to the first (which shows its window) and leaves.
  if (!electron.requestSingleInstanceLock()) {
    electron.quit();
    return null;
  }
  const { hidden: hiddenFlag, backendArgs } = splitArgs(options.argv);
  let app: DesktopApp | null = null;
  let pendingShow = false;
  electron.onSecondInstance(() => {
    if (app) app.showWindow();
    else pendingShow = true;
  });

  await electron.whenReady();
  secureSession(electron);
  // Tray only: `--hidden` (Windows login item, XDG autostart) or, on macOS, a launch by the login item.
  const hidden = hiddenFlag || launchedByLoginItem(electron);

  const secretStorage = secretStorageStatus(electron.safeStorage, electron.platform);
  const keychain = secretStorage.kind === 'os';
  const starting: Promise<RunningBackend> = (async () => {
    const config = { ...loadConfig(backendArgs, options.env), logToStdout: !electron.isPackaged };
    return (options.startBackend ?? startBackend)(config, {
      env: options.env,
      sqliteNativeBinding: sqliteNativeBinding(process.versions, options.env),
      // The device key, gateway tokens and device tokens sealed with the OS keychain (docs/deployment.md).
      ...(keychain && { secretStore: keychainSecretStore(electron.safeStorage) }),
      // No local token file at rest: the CLI asks this app over its 0600 socket (Windows keeps the file).
      ...(keychain && electron.platform !== 'win32' && { localTokenFile: false }),
    });
  })();

  // Quit: hold the process until the backend has stopped (scheduler, feed, DB, log file) — or a
  // time limit passed. Registered before the backend has started, so a quit during startup waits
  // for it and then stops it instead of leaving the database open and instance.json behind.
  let quitting = false;
  /** Stops what is built around the backend (fleet monitor, tray), once it is. */
  let stopShell: () => void = () => {};
  let stopping: Promise<void> | null = null;
  let stoppedResolve: () => void = () => {};
  const stoppedPromise = new Promise<void>((resolve) => (stoppedResolve = resolve));
  electron.onBeforeQuit((event) => {
    quitting = true;
    event.preventDefault();
    stopping ??= (async () => {
      const running = await starting.catch(() => null);
      if (!running) return; // it failed to start: the start path below reports that and exits
      const code = await stopBackend(running, options.quitTimeoutMs ?? QUIT_TIMEOUT_MS, stopShell);
      stoppedResolve();
      electron.exit(code);
    })();
  });

  let backend: RunningBackend;
  try {
    backend = await starting;
  } catch (err) {
    const message = (err as Error).message;
    const nativeMismatch = /NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message);
    if (nativeMismatch && options.env.MC_NATIVE_FALLBACK === '1') {
      // `npm start` from a checkout: it serves headless instead (scripts/start.mjs).
      console.error('mission-control: better-sqlite3 is built for Node, not for this Electron (see docs/release.md).');
      electron.exit(NATIVE_MISMATCH_EXIT);
      return null;
    }
    const title = err instanceof InstanceRunningError ? 'Mission Control is already running' : 'Mission Control could not start';
    electron.showError(title, nativeMismatch ? `${message}\n\n${NATIVE_MISMATCH_HINT}` : message);
    electron.exit(1);
    return null;
  }

  if (quitting) return null; // quit during startup: the quit handler stops the backend and exits
  const log = backend.logger.child('desktop');
  if (secretStorage.warning) log.warn('desktop.secrets_plaintext', secretStorage.warning);
  const appOrigin = new URL(backend.url).origin;
  const settings = settingsStore(backend.dataDir);
  const loginItem: LoginItem = loginItemFor(electron, {
    env: options.env,
    command: options.launchCommand,
    ...(options.autostartDir !== undefined && { autostartDir: options.autostartDir }),
  });
  const actions: ApiActions = createApiActions({
    baseUrl: backend.url,
    token: backend.localToken,
    ...(options.fetch && { fetch: options.fetch }),
  });

  let window: WindowHandle | null = null;

  function showWindow(route = ''): void {
    if (quitting) return;
    const url = `${backend.url}/${route}`;
    if (!window || window.isDestroyed()) {
      window = openWindow(url);
      return;
    }
    if (route) void window.loadURL(url);
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  function openWindow(url: string): WindowHandle {
    const win = electron.createWindow({
      width: 1280,
      height: 820,
      minWidth: 880,
      minHeight: 560,
      title: 'OpenClaw Mission Control',
      show: false,
      icon: appIcon(256),
      backgroundColor: '#ffffff',
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    guardWindow(electron, win, appOrigin);
    win.onReadyToShow(() => {
      win.show();
      win.focus();
    });
    win.onClose((event) => {
      if (quitting || !settings.get().closeToTray) return;
      event.preventDefault(); // keep running in the tray
      win.hide();
    });
    win.onClosed(() => {
      if (window === win) window = null;
    });
    win
      .loadURL(url)
      .catch((err: unknown) =>
        log.warn('desktop.window_load_failed', 'the window could not load the UI', { error: (err as Error).message }),
      );
    return win;
  }

  const bootstrap = (): DesktopBootstrap => ({
    api_url: backend.url,
    token: backend.localToken,
    version: electron.version,
    platform: electron.platform,
    secret_storage: secretStorage,
  });
  registerIpc({
    electron,
    windowContentsId: () => (window && !window.isDestroyed() ? window.webContentsId : null),
    appOrigin,
    bootstrap,
    folders: { data: backend.dataDir, logs: join(backend.dataDir, 'logs') },
    // The Settings page's switch and the tray's checkbox are the same login item; the tray shows the change.
    startAtLogin: {
      get: () => loginItem.isEnabled(),
      set: (enabled) => {
        loginItem.setEnabled(enabled);
        renderTray();
      },
    },
    runAtBoot: runAtBootFor({
      platform: electron.platform,
      env: options.env,
      isPackaged: electron.isPackaged,
      execPath: process.execPath,
      appPath: options.appPath ?? process.cwd(),
      logDir: join(backend.dataDir, 'logs'),
    }),
  });

  // Tray: a pure model of the fleet, re-rendered on every change.
  let fleetState: FleetState = { agents: [], gateways: [] };
  const model = (): TrayModel =>
    buildTrayModel(fleetState, {
      startAtLogin: loginItem.isEnabled(),
      closeToTray: settings.get().closeToTray,
      warning: secretStorage.warning,
    });
  let tray: TrayHandle | null = null;
  let shownHealth: TrayModel['health'] | null = null;
  function renderTray(): void {
    if (!tray) return;
    const m = model();
    if (m.health !== shownHealth) tray.setImage(trayIcon(m.health));
    shownHealth = m.health;
    tray.setToolTip(m.toolTip);
    tray.setMenu(m.menu, (id) => {
      runTrayAction(id).catch((err: unknown) =>
        log.warn('desktop.tray_action_failed', 'a tray action failed', { id, error: (err as Error).message }),
      );
    });
  }
  function notify(title: string, body: string, route = ''): void {
    if (electron.notificationsSupported()) electron.showNotification({ title, body, onClick: () => showWindow(route) });
  }
  const notifier = createOfflineNotifier({
    maxWakeAttempts: backend.config.maxWakeAttempts,
    show: (notice) => notify(notice.title, notice.body, notice.route),
  });
  tray = electron.createTray(trayIcon('ok'), 'OpenClaw Mission Control');
  tray.onClick(() => showWindow());
  const fleet = createFleetMonitor({
    source: backendFleetSource(backend),
    onChange: (state) => {
      fleetState = state;
      renderTray();
    },
    onAgentChange: (previous, next) => notifier.observe(previous, next),
    ...(options.gatewayPollMs !== undefined && { gatewayPollMs: options.gatewayPollMs }),
  });

  function report(what: string, results: ActionResult[]): void {
    const failed = results.filter((r) => !r.ok);
    if (failed.length === 0) notify(what, `Done (${results.length}).`);
    else notify(what, `${failed.length} of ${results.length} failed: ${failed[0]?.detail ?? 'unknown error'}`, '#/troubleshoot');
  }

  async function runTrayAction(id: string): Promise<void> {
    const current = model();
    const gatewayIds = fleetState.gateways.map((g) => g.id);
    switch (id) {
      case TRAY_ACTIONS.open:
        return showWindow();
      case TRAY_ACTIONS.troubleshoot:
        return showWindow('#/troubleshoot');
      case TRAY_ACTIONS.syncTemplates:
        return report('Template sync', await Promise.all(gatewayIds.map((g) => actions.syncTemplates(g))));
      case TRAY_ACTIONS.rotateTokens: {
        const confirmed = await electron.confirm({
          message: 'Rotate every agent’s token and re-sync its templates?',
          detail: `On ${gatewayIds.length} gateway(s). Each agent gets a new token in its workspace; old tokens stop working.`,
          confirmLabel: 'Rotate tokens',
        });
        if (!confirmed) return;
        return report('Token rotation', await Promise.all(gatewayIds.map((g) => actions.syncTemplates(g, { rotateTokens: true }))));
      }
      case TRAY_ACTIONS.wakeStuck:
        return report('Wake stuck agents', await Promise.all(current.stuckAgentIds.map((a) => actions.wakeAgent(a))));
      case TRAY_ACTIONS.startAtLogin:
        loginItem.setEnabled(!loginItem.isEnabled());
        return renderTray();
      case TRAY_ACTIONS.closeToTray:
        settings.update({ closeToTray: !settings.get().closeToTray });
        return renderTray();
      case TRAY_ACTIONS.quit:
        return electron.quit();
      default:
        log.warn('desktop.tray_action_failed', 'unknown tray action', { id });
    }
  }

  stopShell = () => {
    fleet.stop();
    tray?.destroy();
    tray = null;
  };
  electron.onWindowAllClosed(() => {
    if (!settings.get().closeToTray) electron.quit();
  });
  electron.onActivate(() => showWindow());

  app = {
    backend,
    window: () => window,
    trayModel: () => model(),
    runTrayAction,
    showWindow,
    stopped: () => stoppedPromise,
  };
  renderTray();
  if (!hidden || pendingShow) showWindow();
  return app;
}

/**
 * Stop what surrounds the backend (`stopFirst`), then the backend, within `timeoutMs`: 0 when it
 * stopped, 1 when it failed or hung (logged) — then the database is closed all the same.
 */
async function stopBackend(backend: RunningBackend, timeoutMs: number, stopFirst: () => void): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const stopped = (async () => {
    try {
      stopFirst();
    } finally {
      await backend.stop();
    }
    return 'stopped' as const;
  })();
  try {
    if ((await Promise.race([stopped, timedOut])) === 'stopped') return 0;
    logQuitProblem(backend, 'desktop.quit_timeout', `the backend did not stop within ${timeoutMs} ms; exiting anyway`, {
      timeout_ms: timeoutMs,
    });
  } catch (err) {
    logQuitProblem(backend, 'desktop.quit_failed', 'the backend did not stop cleanly; exiting anyway', { error: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
  // Whatever held the stop up, the database is closed before the process ends (check-in times written,
  // WAL checkpointed): the next start needs no recovery.
  try {
    backend.closeDatabase();
  } catch (err) {
    logQuitProblem(backend, 'desktop.quit_failed', 'closing the database failed', { error: (err as Error).message });
  }
  // The log file is written asynchronously: end it (briefly) so the line above is not lost on exit.
  await Promise.race([backend.logger.close(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  return 1;
}

function logQuitProblem(backend: RunningBackend, event: 'desktop.quit_timeout' | 'desktop.quit_failed', msg: string, fields: object): void {
  try {
    backend.logger.child('desktop').error(event, msg, { ...fields });
  } catch {
    console.error(`mission-control: ${msg}`); // the stop got as far as closing the log file
  }
}
