import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import type { startBackend } from '../../backend/index.js';
import { runDesktop, type DesktopApp } from '../../main/app.js';
import type { DesktopBridge } from '../../backend/contract/desktop-bridge.js';
import { FakeElectron, type FakeElectronOptions } from './main-fake-electron.js';

/*
 * main/ through the facade, around a real backend (real SQLite file, real HTTP on a free port):
 * the harness the main-*.test.ts files share. Each file calls `afterEach(stopDesktops)`.
 */

export interface Started {
  app: DesktopApp;
  electron: FakeElectron;
  dataDir: string;
  autostartDir: string;
}

const running: Started[] = [];
const dirs: string[] = [];

export interface StartOptions extends FakeElectronOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  startBackend?: typeof startBackend;
  quitTimeoutMs?: number;
  launchCommand?: string[];
}

export async function start(options: StartOptions = {}): Promise<Started> {
  const dataDir = makeDataDir();
  const autostartDir = join(dataDir, 'autostart');
  const electron = new FakeElectron(options);
  const app = await runDesktop({
    electron,
    argv: ['/opt/mission-control/app', '--inspect=0', '--no-sandbox', ...(options.argv ?? [])],
    env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent', HOME: dataDir, ...options.env },
    preloadPath: '/app/dist/main/preload.cjs',
    launchCommand: options.launchCommand ?? ['/opt/Mission Control/mission-control'],
    autostartDir,
    ...(options.startBackend && { startBackend: options.startBackend }),
    ...(options.quitTimeoutMs !== undefined && { quitTimeoutMs: options.quitTimeoutMs }),
  });
  if (!app) throw new Error('the desktop app did not start');
  const started = { app, electron, dataDir, autostartDir };
  running.push(started);
  return started;
}

export async function quit(s: Started): Promise<void> {
  s.electron.quit();
  await s.app.stopped();
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * An `Exec=` value read the way the Desktop Entry spec says a desktop session reads it: the string
 * escapes first (`\\` → `\`, `\s`, `\n`, `\t`, `\r`), then the arguments (double quotes, inside them
 * a backslash escapes `"`, `` ` ``, `$` and `\`), then `%%` → `%`.
 */
export function readExecAsTheSpecSays(value: string): string[] {
  const escapes: Record<string, string> = { '\\': '\\', s: ' ', n: '\n', t: '\t', r: '\r' };
  const unescaped = value.replace(/\\(.)/g, (whole, c: string) => escapes[c] ?? whole);
  const args: string[] = [];
  let current: string | null = null;
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i]!;
    if (c === ' ') {
      if (current !== null) args.push(current);
      current = null;
    } else if (c === '"') {
      current ??= '';
      for (i++; unescaped[i] !== '"'; i++) {
        if (i >= unescaped.length) throw new Error('unterminated quote');
        if (unescaped[i] === '\\' && '"`$\\'.includes(unescaped[i + 1] ?? '')) i++;
        current += unescaped[i];
      }
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== null) args.push(current);
  return args.map((a) => a.replace(/%%/g, '%'));
}

export const senderOf = (s: Started, overrides: { webContentsId?: number; frameUrl?: string | null } = {}) => ({
  webContentsId: s.electron.window?.webContentsId ?? -1,
  frameUrl: `${s.app.backend.url}/`,
  ...overrides,
});

/**
 * Loads the real `main/preload.cts` (transpiled to CommonJS as the build does) and runs it with a
 * stand-in for `electron`: its `ipcRenderer.invoke` goes over the fake's IPC as the app window's
 * would (from `sender`), and what it passes to `contextBridge.exposeInMainWorld` is what the window
 * gets as `window.missionControl`. No copy of the preload lives here, so the two cannot drift. Other
 * modules it may require (a bridge table of backend/contract) are loaded the same way.
 */
export function loadCommonJs(file: string, fakes: Record<string, unknown>, cache = new Map<string, unknown>()): unknown {
  const hit = cache.get(file);
  if (hit) return hit;
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const module = { exports: {} as unknown };
  cache.set(file, module.exports);
  const nodeRequire = createRequire(file);
  const require = (name: string): unknown => {
    if (name in fakes) return fakes[name];
    if (!name.startsWith('.')) return nodeRequire(name);
    const base = resolve(dirname(file), name).replace(/\.(c|m)?js$/, '');
    const source = ['.ts', '.cts', '.mts'].map((ext) => base + ext).find((f) => existsSync(f));
    if (!source) throw new Error(`the preload requires ${name}, which is not a TypeScript module here`);
    return loadCommonJs(source, fakes, cache);
  };
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports;
}

export function preloadBridge(s: Started, sender = senderOf(s)): DesktopBridge {
  const exposed: Record<string, unknown> = {};
  const electron = {
    ipcRenderer: { invoke: (channel: string, ...args: unknown[]) => s.electron.invoke(channel, sender, ...args) },
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
  };
  loadCommonJs(join(process.cwd(), 'main', 'preload.cts'), { electron });
  const bridge = exposed.missionControl as DesktopBridge | undefined;
  if (!bridge) throw new Error('main/preload.cts exposed no window.missionControl');
  return bridge;
}

/** A data dir for one test, removed by `stopDesktops`. */
export function makeDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-main-'));
  dirs.push(dir);
  return dir;
}

/** Quits every app a test started and removes its data dirs. */
export async function stopDesktops(): Promise<void> {
  for (const s of running.splice(0)) await quit(s);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** For a test that quits (or hangs) an app itself: `stopDesktops` leaves it alone. */
export function forget(s: Started): void {
  running.splice(running.indexOf(s), 1);
}
