import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The application root: the folder holding package.json. The same code runs from sources (tests),
 * from `dist/` (npm start) and from the packaged app, so data folders are found from here, not
 * from the current working directory.
 */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'backend'))) break;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Mission Control: cannot find the application root (package.json)');
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

export const resolveAppPath = (...parts: string[]): string => join(appRoot(), ...parts);

let cachedVersion: string | undefined;

/** The app's version, from package.json (sent to gateways as the client version). */
export function appVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(resolveAppPath('package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}
