#!/usr/bin/env node
// `npm start`: build, then run the desktop app — or, where Electron cannot start here, say why in
// one line and serve the same UI headless on 127.0.0.1. The README command always runs the product.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('mission-control: the build failed (see above); nothing was started.');
  process.exit(build.status ?? 1);
}

/** Why Electron cannot run here, or null when it can. */
function electronUnavailable() {
  if (args.includes('--headless') || process.env.MC_HEADLESS === '1') return 'headless mode requested';
  if (!existsSync(join(root, 'dist', 'main', 'index.js'))) return 'the desktop shell (main/) is not built in this version';
  return findElectron().reason;
}

const reason = electronUnavailable();
const serveArgs = args.filter((a) => a !== '--headless');
/** Exit code of the desktop app when better-sqlite3 is built for Node, not Electron (main/app.ts). */
const NATIVE_MISMATCH_EXIT = 78;

function serveHeadless(why) {
  console.log(`mission-control: Electron cannot start here (${why}); serving the same UI headless.`);
  return spawn(process.execPath, [join(root, 'dist', 'backend', 'cli.js'), 'serve', ...serveArgs], { cwd: root, stdio: 'inherit' });
}

let child = reason
  ? serveHeadless(reason)
  : spawn(findElectron().binary, [root, ...serveArgs], { cwd: root, stdio: 'inherit', env: { ...process.env, MC_NATIVE_FALLBACK: '1' } });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', function onExit(code, signal) {
  if (!reason && code === NATIVE_MISMATCH_EXIT) {
    child = serveHeadless('better-sqlite3 is built for Node, not for Electron — see docs/release.md');
    child.on('exit', onExit);
    return;
  }
  process.exit(code ?? (signal ? 1 : 0));
});
