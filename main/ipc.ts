import type { z } from 'zod';
import {
  DESKTOP_BRIDGE,
  type BridgeMethod,
  type BridgeResult,
  type DesktopBootstrap,
  type RunAtBoot,
} from '../backend/contract/desktop-bridge.js';
import type { ElectronFacade, IpcSender } from './facade.js';
import { openExternalSafely } from './security.js';

/*
 * The main side of the preload bridge. Every handler first checks who is asking (the app window's
 * web contents, on the app's origin — not a frame that navigated elsewhere) and then parses its
 * arguments with zod; anything else is refused with an error the renderer sees, and nothing runs.
 */

export class IpcRejected extends Error {
  override name = 'IpcRejected';
}

export interface IpcDeps {
  electron: ElectronFacade;
  /** The app window's web contents id, or null while there is none. */
  windowContentsId(): number | null;
  appOrigin: string;
  bootstrap(): DesktopBootstrap;
  folders: { data: string; logs: string };
  /** Start at login, as the tray menu toggles it (login-item.ts); `set` answers the state read back. */
  startAtLogin: { get(): boolean; set(enabled: boolean): void };
  /** Run at boot without a window (run-at-boot.ts); both answer the state after the call. */
  runAtBoot: { get(): RunAtBoot; set(enabled: boolean): RunAtBoot };
}

export function isTrustedSender(sender: IpcSender, expectedContentsId: number | null, appOrigin: string): boolean {
  if (expectedContentsId === null || sender.webContentsId !== expectedContentsId) return false;
  if (!sender.frameUrl) return false;
  try {
    return new URL(sender.frameUrl).origin === appOrigin;
  } catch {
    return false;
  }
}

function handle<S extends z.ZodType>(deps: IpcDeps, channel: string, schema: S, run: (args: z.output<S>) => unknown): void {
  deps.electron.handleIpc(channel, (sender, args) => {
    if (!isTrustedSender(sender, deps.windowContentsId(), deps.appOrigin)) {
      throw new IpcRejected(`${channel}: refused, the sender is not the Mission Control window`);
    }
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
      throw new IpcRejected(`${channel}: invalid arguments (${where})`);
    }
    return run(parsed.data);
  });
}

/** One handler per entry of the bridge's table: the compiler refuses a missing one or a wrong answer. */
type BridgeHandlers = {
  [K in BridgeMethod]: (args: z.output<(typeof DESKTOP_BRIDGE)[K]['args']>) => BridgeResult<K> | Promise<BridgeResult<K>>;
};

export function registerIpc(deps: IpcDeps): void {
  const handlers: BridgeHandlers = {
    bootstrap: () => deps.bootstrap(),
    openExternal: async ([{ url }]) => {
      if (!(await openExternalSafely(deps.electron, url, deps.appOrigin)))
        throw new IpcRejected('open-external: not an external http(s) link');
    },
    revealFolder: async ([{ folder }]) => {
      const problem = await deps.electron.openPath(deps.folders[folder]);
      if (problem) throw new IpcRejected(`reveal-folder: ${problem}`);
    },
    getStartAtLogin: () => ({ enabled: deps.startAtLogin.get() }),
    setStartAtLogin: ([{ enabled }]) => {
      deps.startAtLogin.set(enabled);
      return { enabled: deps.startAtLogin.get() };
    },
    getRunAtBoot: () => deps.runAtBoot.get(),
    setRunAtBoot: ([{ enabled }]) => deps.runAtBoot.set(enabled),
  };
  for (const method of Object.keys(DESKTOP_BRIDGE) as BridgeMethod[]) {
    const entry = DESKTOP_BRIDGE[method];
    handle(deps, entry.channel, entry.args, handlers[method] as (args: unknown) => unknown);
  }
}
