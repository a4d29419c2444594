import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteNativeBinding } from '../../backend/index.js';
import { openDb } from '../../backend/db/open-db.js';
import {
  afterBindingMake,
  afterElectronFetch,
  bindingCommands,
  bindingFileIn,
  bindingStep,
  electronBindingDir,
  electronStep,
  hasDisplay,
} from '../../scripts/desktop-runtime.mjs';

/*
 * What `npm start` decides before the desktop window (scripts/desktop-runtime.mjs): whether the
 * Electron binary is fetched, which better-sqlite3 build is loaded, and what is said when offline.
 */

const ready = { headlessRequested: false, packageInstalled: true, binaryPresent: true, display: true, fetchDisabled: false };

describe('the Electron binary', () => {
  it('present with a display: run it', () => {
    expect(electronStep(ready)).toEqual({ action: 'run' });
  });

  it('not downloaded yet (electron ≥ 42 fetches lazily): npm start fetches it and says so', () => {
    const step = electronStep({ ...ready, binaryPresent: false });
    expect(step).toMatchObject({ action: 'fetch', say: expect.stringMatching(/downloading the Electron binary/) });
  });

  it('no display: no download (no window could be shown), headless with the reason', () => {
    expect(electronStep({ ...ready, binaryPresent: false, display: false })).toEqual({
      action: 'headless',
      reason: 'no graphical display (DISPLAY is not set)',
    });
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });

  it('offline: the failed download is said with its cause and what to run once online', () => {
    const after = afterElectronFetch(false, 'getaddrinfo ENOTFOUND github.com');
    expect(after).toMatchObject({ action: 'headless' });
    expect(after.action === 'headless' && after.reason).toMatch(
      /could not be downloaded \(getaddrinfo ENOTFOUND github\.com\).*install\.js` once online/,
    );
    expect(afterElectronFetch(false)).toMatchObject({ reason: expect.stringMatching(/no network access/) });
    expect(afterElectronFetch(true)).toEqual({ action: 'run' });
  });

  it('MC_NO_DOWNLOAD=1 or --headless: nothing is fetched', () => {
    expect(electronStep({ ...ready, binaryPresent: false, fetchDisabled: true })).toMatchObject({
      action: 'headless',
      reason: expect.stringMatching(/MC_NO_DOWNLOAD/),
    });
    expect(electronStep({ ...ready, headlessRequested: true })).toEqual({ action: 'headless', reason: 'headless mode requested' });
    expect(electronStep({ ...ready, packageInstalled: false })).toMatchObject({ action: 'headless' });
  });
});

describe('one better-sqlite3 build per runtime', () => {
  const dir = electronBindingDir('/repo', { electronVersion: '45.4.1', platform: 'linux', arch: 'x64' });

  it('the Electron-ABI copy lives in .native/, per Electron version, platform and arch — never over the Node build', () => {
    expect(dir).toBe('/repo/.native/better-sqlite3-electron-45.4.1-linux-x64');
    expect(bindingFileIn(dir)).toBe('/repo/.native/better-sqlite3-electron-45.4.1-linux-x64/build/Release/better_sqlite3.node');
  });

  it('missing: made once (prebuilt for Electron first, then compiled against its headers); present: used', () => {
    expect(bindingStep({ bindingPresent: true, fetchDisabled: false })).toEqual({ action: 'use' });
    expect(bindingStep({ bindingPresent: false, fetchDisabled: false })).toMatchObject({ action: 'make' });
    expect(bindingStep({ bindingPresent: false, fetchDisabled: true })).toMatchObject({ action: 'headless' });
    const [prebuilt, compile] = bindingCommands({
      workDir: dir,
      electronVersion: '45.4.1',
      arch: 'x64',
      prebuildInstall: 'pi.js',
      nodeGyp: 'gyp.js',
      node: 'node',
    });
    expect(prebuilt).toEqual({
      command: 'node',
      args: ['pi.js', '--runtime', 'electron', '--target', '45.4.1', '--arch', 'x64'],
      cwd: dir,
    });
    expect(compile!.args).toEqual(expect.arrayContaining(['rebuild', '--target=45.4.1', '--dist-url=https://electronjs.org/headers']));
    expect(compile!.cwd).toBe(dir);
  });

  it('offline: said, and the next start tries again', () => {
    expect(afterBindingMake(false, 'connect ETIMEDOUT')).toMatchObject({
      action: 'headless',
      reason: expect.stringMatching(/\(connect ETIMEDOUT\).*next `npm start` tries again/),
    });
  });

  it('the main process loads the Electron copy; Node (tests, serve, CLI) loads the package build', () => {
    const env = { MC_SQLITE_NATIVE_BINDING: '/repo/.native/x/build/Release/better_sqlite3.node' };
    expect(sqliteNativeBinding({ ...process.versions, electron: '45.4.1' }, env)).toBe(env.MC_SQLITE_NATIVE_BINDING);
    expect(sqliteNativeBinding({ ...process.versions, electron: '45.4.1' }, {})).toBeUndefined();
    const nodeOnly = Object.fromEntries(Object.entries(process.versions).filter(([k]) => k !== 'electron')) as NodeJS.ProcessVersions;
    expect(sqliteNativeBinding(nodeOnly, env)).toBeUndefined();
  });

  it('openDb loads exactly the binding it is given (the nativeBinding option is wired through)', () => {
    const pkg = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const opened = openDb(':memory:', { nativeBinding: join(pkg, 'build', 'Release', 'better_sqlite3.node') });
    expect(opened.sqlite.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    opened.close();
    expect(() => openDb(':memory:', { nativeBinding: '/nonexistent/better_sqlite3.node' })).toThrow();
  });
});
