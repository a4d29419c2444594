#!/usr/bin/env node
// `npm start`: build what is stale, then run the desktop app — or, where Electron cannot start here, say why in
// one line and serve the same UI headless on 127.0.0.1. The README command always runs the product.
// The decisions are in desktop-runtime.mjs (unit-tested); this file carries them out.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { findElectron } from './electron-binary.mjs';
import { afterElectronFetch, electronStep, hasDisplay } from './desktop-runtime.mjs';
import { electronBinding } from './electron-native.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const fetchDisabled = process.env.MC_NO_DOWNLOAD === '1';

// Only what changed since the last build is rebuilt (build-plan.mjs); a fresh clone builds everything.
if (!build(root, { stale: true })) {
  console.error('mission-control: the build failed (see above); nothing was started.');
  process.exit(1);
}

const resolveDir = (pkg) => {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
};

/** The Electron binary, fetched on first start where a window can be shown. Returns the reason when not. */
function electronBinary() {
  if (!existsSync(join(root, 'dist', 'main', 'index.js'))) return { reason: 'the desktop shell (main/) is not built in this version' };
  const electronDir = resolveDir('electron');
  let found = findElectron();
  const step = electronStep({
    headlessRequested: args.includes('--headless') || process.env.MC_HEADLESS === '1',
    packageInstalled: electronDir !== null,
    binaryPresent: found.binary !== null,
    display: hasDisplay(process.env, process.platform),
    fetchDisabled,
  });
  if (step.action === 'headless') return { reason: step.reason };
  if (step.action === 'fetch') {
    console.log(`mission-control: ${step.say}`);
    const run = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8' });
    found = findElectron();
    const after = afterElectronFetch(run.status === 0 && found.binary !== null, (run.stderr || '').trim().split('\n').pop());
    if (after.action === 'headless') return { reason: after.reason };
  }
  return { binary: found.binary, version: JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version };
}

function serveHeadless(why) {
  console.log(`mission-control: Electron cannot start here (${why}); serving the same UI headless.`);
  return spawn(process.execPath, [join(root, 'dist', 'backend', 'cli.js'), 'serve', ...serveArgs], { cwd: root, stdio: 'inherit' });
}

const serveArgs = args.filter((a) => a !== '--headless');
/** Exit code of the desktop app when better-sqlite3 is built for Node, not Electron (main/app.ts). */
const NATIVE_MISMATCH_EXIT = 78;

const electron = electronBinary();
const binding = electron.reason ? null : electronBinding(root, electron.version, { fetchDisabled });
const reason = electron.reason ?? binding?.reason ?? null;

let child = reason
  ? serveHeadless(reason)
  : spawn(electron.binary, [root, ...serveArgs], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, MC_NATIVE_FALLBACK: '1', MC_SQLITE_NATIVE_BINDING: binding.file },
    });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', function onExit(code, signal) {
  if (!reason && code === NATIVE_MISMATCH_EXIT) {
    child = serveHeadless('better-sqlite3 could not be loaded in Electron — delete .native/ and start again, see docs/release.md');
    child.on('exit', onExit);
    return;
  }
  process.exit(code ?? (signal ? 1 : 0));
});
