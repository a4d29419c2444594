// Where the Electron binary is, or why it cannot run here — without ever triggering electron's own
// download (`require('electron')` from Node would). Used by `npm start` and the Electron e2e spec.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {{ binary: string, reason: null } | { binary: null, reason: string }} */
export function findElectron(env = process.env, platform = process.platform) {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { binary: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const binary = existsSync(pathFile) ? join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (!binary || !existsSync(binary))
    return { binary: null, reason: 'the Electron binary was not downloaded (no network access to its release host)' };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { binary: null, reason: 'no graphical display (DISPLAY is not set)' };
  return { binary, reason: null };
}
