#!/usr/bin/env node
// `npm start`: build, then run the desktop app — or, where Electron cannot start here, say why in
// one line and serve the same UI headless on 127.0.0.1. The README command always runs the product.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('mission-control: the build failed (see above); nothing was started.');
  process.exit(build.status ?? 1);
}

/** Why Electron cannot run here, or null when it can. Never triggers electron's own download. */
function electronUnavailable() {
  if (args.includes('--headless') || process.env.MC_HEADLESS === '1') return 'headless mode requested';
  if (!existsSync(join(root, 'dist', 'main', 'index.js'))) return 'the desktop shell (main/) is not built in this version';
  const require = createRequire(import.meta.url);
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return 'the electron package is not installed';
  }
  const pathFile = join(pkgDir, 'path.txt');
  const binary = existsSync(pathFile) ? join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (!binary || !existsSync(binary)) return 'the Electron binary was not downloaded (no network access to its release host)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no graphical display (DISPLAY is not set)';
  return null;
}

const reason = electronUnavailable();
const serveArgs = args.filter((a) => a !== '--headless');
const child = reason
  ? (console.log(`mission-control: Electron cannot start here (${reason}); serving the same UI headless.`),
    spawn(process.execPath, [join(root, 'dist', 'backend', 'cli.js'), 'serve', ...serveArgs], { cwd: root, stdio: 'inherit' }))
  : spawn(join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron.cmd' : 'electron'), [root, ...serveArgs], {
      cwd: root,
      stdio: 'inherit',
    });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
