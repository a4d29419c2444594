import { transformSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESKTOP_BRIDGE, type DesktopBridge } from '../../backend/contract/desktop-bridge.js';
import { registerIpc, type IpcDeps } from '../../main/ipc.js';

/**
 * The desktop bridge is one table (backend/contract/desktop-bridge.ts). The sandboxed preload cannot
 * require it at run time, so this loads the preload itself with an `electron` that records what it is
 * given, and holds its methods and channels to the table; main's IPC registration is held to it too.
 */
function loadPreload(): { exposed: Record<string, unknown>; invoked: unknown[][] } {
  const invoked: unknown[][] = [];
  const exposed: Record<string, unknown> = {};
  const electron = {
    ipcRenderer: { invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(undefined)) },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  };
  const source = readFileSync(new URL('../../main/preload.cts', import.meta.url), 'utf8');
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs' });
  new Function('require', 'module', 'exports', code)(
    (id: string) => {
      if (id !== 'electron') throw new Error(`the preload may require only electron, not ${id}`);
      return electron;
    },
    { exports: {} },
    {},
  );
  return { exposed, invoked };
}

const sampleArgs: { [K in keyof DesktopBridge]: Parameters<DesktopBridge[K]> } = {
  bootstrap: [],
  openExternal: [{ url: 'https://example.org/' }],
  revealFolder: [{ folder: 'logs' }],
  getStartAtLogin: [],
  setStartAtLogin: [{ enabled: true }],
  getRunAtBoot: [],
  setRunAtBoot: [{ enabled: false }],
};

describe('the desktop bridge is one table', () => {
  it('the preload exposes one method per entry, each invoking its channel with its arguments', async () => {
    const { exposed, invoked } = loadPreload();
    const bridge = exposed.missionControl as Record<string, (...args: unknown[]) => Promise<unknown>>;
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(DESKTOP_BRIDGE).sort());
    for (const [method, entry] of Object.entries(DESKTOP_BRIDGE)) {
      const args = sampleArgs[method as keyof DesktopBridge];
      await bridge[method]!(...args);
      expect(invoked.at(-1)).toEqual([entry.channel, ...args]);
      // What the preload sends, main's schema for that channel accepts.
      expect(entry.args.safeParse(invoked.at(-1)!.slice(1)).success).toBe(true);
    }
  });

  it('main registers exactly the table’s channels', () => {
    const channels: string[] = [];
    registerIpc({
      electron: { handleIpc: (channel: string) => channels.push(channel) },
    } as unknown as IpcDeps);
    expect(channels.sort()).toEqual(
      Object.values(DESKTOP_BRIDGE)
        .map((e) => e.channel)
        .sort(),
    );
  });
});
