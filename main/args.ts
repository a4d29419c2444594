import { BACKEND_FLAG_NAMES } from '../backend/index.js';
import { HIDDEN_FLAG } from './login-item.js';

const KNOWN: ReadonlySet<string> = new Set(BACKEND_FLAG_NAMES);

/**
 * Electron's argv mixes our flags with its own and Chromium's (`--no-sandbox`, `--inspect=0`, the
 * app path…). Keep `--hidden` and the backend's flags (`--port 0`, `--data-dir=…`); drop the rest.
 */
export function splitArgs(argv: readonly string[]): { hidden: boolean; backendArgs: string[] } {
  const backendArgs: string[] = [];
  let hidden = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === HIDDEN_FLAG) {
      hidden = true;
      continue;
    }
    const m = /^--([a-z-]+)(=.*)?$/.exec(arg);
    if (!m || !KNOWN.has(m[1] as string)) continue;
    if (m[2] !== undefined) backendArgs.push(arg);
    else if (i + 1 < argv.length) backendArgs.push(arg, argv[++i] as string);
  }
  return { hidden, backendArgs };
}
