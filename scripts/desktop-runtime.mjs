// What `npm start` decides before it opens the desktop window, as pure functions (unit-tested in
// test/unit/desktop-runtime.test.ts); scripts/start.mjs carries the decisions out.
//
// - Electron ≥ 42 downloads its binary on first use only: `npm start` fetches it (its own install.js)
//   where there is a display to show a window on, and says so when the download fails (offline).
// - One native build per runtime: node_modules/better-sqlite3 stays built for Node (tests, `serve`);
//   an Electron-ABI copy lives in .native/ (fetched as a prebuilt binary, else compiled, at the first
//   start), and the main process loads it through better-sqlite3's `nativeBinding` option
//   (backend/db/native-binding.ts reads MC_SQLITE_NATIVE_BINDING).
import { join } from 'node:path';

/** Where the Electron-ABI copy of better-sqlite3 is built (gitignored). */
export const NATIVE_DIR = '.native';

/** A display a window can be shown on. */
export const hasDisplay = (env, platform) => platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);

/**
 * The Electron binary: run it, fetch it, or serve headless with the reason.
 * @param {{ headlessRequested: boolean, packageInstalled: boolean, binaryPresent: boolean, display: boolean, fetchDisabled: boolean }} s
 * @returns {{ action: 'run' } | { action: 'fetch', say: string } | { action: 'headless', reason: string }}
 */
export function electronStep(s) {
  if (s.headlessRequested) return { action: 'headless', reason: 'headless mode requested' };
  if (!s.packageInstalled) return { action: 'headless', reason: 'the electron package is not installed' };
  // No window could be shown: do not download ~100 MB for nothing.
  if (!s.display) return { action: 'headless', reason: 'no graphical display (DISPLAY is not set)' };
  if (s.binaryPresent) return { action: 'run' };
  if (s.fetchDisabled)
    return { action: 'headless', reason: 'the Electron binary is not downloaded and MC_NO_DOWNLOAD=1 forbids fetching it' };
  return { action: 'fetch', say: 'first start: downloading the Electron binary (once)…' };
}

/** After the download attempt. */
export function afterElectronFetch(ok, detail) {
  if (ok) return { action: 'run' };
  return {
    action: 'headless',
    reason: `the Electron binary could not be downloaded (${detail || 'no network access to its release host?'}); run \`node node_modules/electron/install.js\` once online`,
  };
}

/** The Electron-ABI better_sqlite3.node for this Electron, platform and arch. */
export function electronBindingDir(root, { electronVersion, platform, arch }) {
  return join(root, NATIVE_DIR, `better-sqlite3-electron-${electronVersion}-${platform}-${arch}`);
}
export const bindingFileIn = (dir) => join(dir, 'build', 'Release', 'better_sqlite3.node');

/**
 * The Electron-ABI binding: use it, make it, or serve headless with the reason.
 * @returns {{ action: 'use' } | { action: 'make', say: string } | { action: 'headless', reason: string }}
 */
export function bindingStep({ bindingPresent, fetchDisabled }) {
  if (bindingPresent) return { action: 'use' };
  if (fetchDisabled)
    return { action: 'headless', reason: 'better-sqlite3 has no Electron build yet and MC_NO_DOWNLOAD=1 forbids fetching one' };
  return { action: 'make', say: 'first start: fetching better-sqlite3 built for Electron (once; compiled if no prebuilt binary exists)…' };
}

/**
 * How to make the Electron-ABI copy in `workDir` (a copy of the better-sqlite3 package): its prebuilt
 * binary for Electron's ABI first, then a compile against Electron's headers.
 */
export function bindingCommands({ workDir, electronVersion, arch, prebuildInstall, nodeGyp, node }) {
  return [
    { command: node, args: [prebuildInstall, '--runtime', 'electron', '--target', electronVersion, '--arch', arch], cwd: workDir },
    {
      command: node,
      args: [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
      cwd: workDir,
    },
  ];
}

/** After trying the commands: what the user is told. */
export function afterBindingMake(ok, detail) {
  if (ok) return { action: 'use' };
  return {
    action: 'headless',
    reason: `better-sqlite3 could not be fetched or built for Electron (${detail || 'offline?'}); the next \`npm start\` tries again`,
  };
}
