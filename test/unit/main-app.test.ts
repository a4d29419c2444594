import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from '../../backend/index.js';
import { runDesktop } from '../../main/app.js';
import { TRAY_ACTIONS } from '../../main/tray-model.js';
import { FakeElectron } from './main-fake-electron.js';
import { forget, makeDataDir, start, stopDesktops, within } from './main-harness.js';

/*
 * main/ through the facade, around a real backend: the single-instance lock, the quit sequence and
 * start failures.
 */

afterEach(stopDesktops);

describe('one instance', () => {
  it('a second launch leaves at once and starts nothing', async () => {
    const dataDir = makeDataDir();
    const electron = new FakeElectron({ gotLock: false });
    const app = await runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
    });
    expect(app).toBeNull();
    expect(electron.quitCalls).toBe(1);
    expect(electron.windows).toHaveLength(0);
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false);
  });

  it('the first instance shows (and focuses) its window when a second one is launched', async () => {
    const s = await start({ argv: ['--hidden'] });
    expect(s.electron.windows).toHaveLength(0);
    s.electron.launchSecondInstance(['mission-control']);
    expect(s.electron.windows).toHaveLength(1);
    const win = s.electron.window!;
    win.hide();
    win.minimized = true;
    s.electron.launchSecondInstance([]);
    expect(s.electron.windows).toHaveLength(1);
    expect(win).toMatchObject({ visible: true, minimized: false, focused: true });
  });

  it('a backend already running on the data dir is reported, not doubled', async () => {
    const s = await start();
    const electron = new FakeElectron();
    const app = await runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: s.dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
    });
    expect(app).toBeNull();
    expect(electron.errors[0]?.title).toBe('Mission Control is already running');
    expect(electron.exitCodes).toEqual([1]);
  });
});

describe('quit', () => {
  it('holds the process until the scheduler is stopped and the database closed, then exits 0', async () => {
    const s = await start();
    const { backend } = s.app;
    expect(existsSync(join(s.dataDir, 'instance.json'))).toBe(true);
    // Let the scheduler tick at least once, so "it stopped ticking" below means something.
    for (let i = 0; i < 40 && !backend.services.wakeLadder.lastTickAt; i++) await new Promise((r) => setTimeout(r, 100));
    expect(backend.services.wakeLadder.lastTickAt).not.toBeNull();
    s.electron.trays[0]!.clickItem(TRAY_ACTIONS.quit);
    expect(s.electron.exitCodes).toEqual([]); // not before the backend stopped
    await s.electron.exitedPromise;
    expect(s.electron.exitCodes).toEqual([0]);
    expect(() => backend.services.ready()).toThrow(/not open/);
    expect(existsSync(join(s.dataDir, 'instance.json'))).toBe(false);
    await expect(fetch(`${backend.url}/healthz`)).rejects.toThrow();
    // The scheduler no longer ticks: waiting past its interval changes nothing.
    const lastTick = backend.services.wakeLadder.lastTickAt;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(backend.services.wakeLadder.lastTickAt).toBe(lastTick);
    expect(s.electron.trays[0]!.destroyed).toBe(true);
    // After quitting, the window closes for real (no close-to-tray).
    expect(s.electron.window!.userClose()).toBe(true);
    forget(s);
  });

  it('a backend that does not stop: the quit gives up after its time limit, logs desktop.quit_timeout, closes the database all the same and exits 1', async () => {
    // A fault the real backend cannot produce on demand: a stop that never finishes (a hung DB close, say).
    let real: RunningBackend | undefined;
    const FakeHangingStopBackend: typeof startBackend = async (config, opts) => {
      real = await startBackend(config, opts);
      return { ...real, stop: () => new Promise<void>(() => {}) };
    };
    const s = await start({ env: { MC_LOG_LEVEL: 'info' }, startBackend: FakeHangingStopBackend, quitTimeoutMs: 300 });
    forget(s);
    try {
      s.electron.trays[0]!.clickItem(TRAY_ACTIONS.quit);
      await within(s.electron.exitedPromise, 5_000, 'the quit did not exit');
      expect(s.electron.exitCodes).toEqual([1]);
      const lines = readFileSync(join(s.dataDir, 'logs', 'mission-control.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; level: number; timeout_ms?: number });
      expect(lines.find((l) => l.event === 'desktop.quit_timeout')).toMatchObject({ level: 50, timeout_ms: 300 });
      // The database was closed before the exit (WAL checkpointed: no -wal left, or an empty one).
      expect(() => real!.services.ready()).toThrow(/not open/);
      const wal = join(s.dataDir, 'mission-control.db-wal');
      expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    } finally {
      await real?.stop().catch(() => {}); // its log file is already closed; the DB and port are what matter
    }
  });

  it('a quit during startup waits for the backend, then stops it: no window, no tray, exit 0, database closed', async () => {
    const dataDir = makeDataDir();
    let backend: RunningBackend | undefined;
    let startCalled!: () => void;
    const called = new Promise<void>((resolve) => (startCalled = resolve));
    let finishStart!: () => void;
    const gate = new Promise<void>((resolve) => (finishStart = resolve));
    // A slow start held open on purpose, so the quit lands while the backend is still starting.
    const FakeSlowStartBackend: typeof startBackend = async (config, opts) => {
      startCalled();
      backend = await startBackend(config, opts);
      await gate;
      return backend;
    };
    const electron = new FakeElectron();
    const launching = runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_PORT: '0', MC_LOG_LEVEL: 'silent' },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
      startBackend: FakeSlowStartBackend,
    });
    await called;
    electron.quit();
    expect(electron.unheldQuits).toBe(0); // held: the process does not end with the backend half started
    finishStart();
    expect(await launching).toBeNull();
    await within(electron.exitedPromise, 5_000, 'the quit did not exit');
    expect(electron.exitCodes).toEqual([0]);
    expect(electron.windows).toHaveLength(0);
    expect(electron.trays).toHaveLength(0);
    expect(() => backend!.services.ready()).toThrow(/not open/);
    expect(existsSync(join(dataDir, 'instance.json'))).toBe(false);
  });
});

describe('start failures', () => {
  // A fault a real backend cannot produce here: better-sqlite3 built for another Node ABI (Electron's).
  const FakeNativeMismatchBackend = async (): Promise<never> => {
    throw new Error(
      'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version requires 139.',
    );
  };
  const launch = (env: NodeJS.ProcessEnv) => {
    const electron = new FakeElectron();
    const dataDir = makeDataDir();
    const app = runDesktop({
      electron,
      argv: [],
      env: { MC_DATA_DIR: dataDir, MC_LOG_LEVEL: 'silent', ...env },
      preloadPath: '/p.cjs',
      launchCommand: ['/x'],
      startBackend: FakeNativeMismatchBackend,
    });
    return { electron, app };
  };

  it('native modules built for Node: a dialog that says how to fix it', async () => {
    const { electron, app } = launch({});
    expect(await app).toBeNull();
    expect(electron.errors[0]?.message).toMatch(/makes an Electron copy in \.native\//);
    expect(electron.exitCodes).toEqual([1]);
  });

  it('…and from `npm start`, exit code 78 without a dialog, so it serves headless instead', async () => {
    const { electron, app } = launch({ MC_NATIVE_FALLBACK: '1' });
    expect(await app).toBeNull();
    expect(electron.errors).toEqual([]);
    expect(electron.exitCodes).toEqual([78]);
  });
});
