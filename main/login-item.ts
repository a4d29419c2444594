import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { ElectronFacade } from './facade.js';

/*
 * Start at login, tray only. Windows: Electron's login item, started with `--hidden`. macOS:
 * Electron's login item, which cannot carry arguments (`args` is Windows-only, `openAsHidden` is
 * deprecated and ignored since macOS 13) — the app asks `wasOpenedAtLogin` instead (app.ts).
 * Linux: an XDG autostart entry (`$XDG_CONFIG_HOME/autostart/*.desktop`) with `--hidden`, which
 * every desktop session that follows the spec starts — Electron's login item API does nothing there.
 */

export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'openclaw-mission-control.desktop';

export function xdgAutostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME ?? homedir(), '.config'), 'autostart');
}

/**
 * Quote one argument of an `Exec=` line (Desktop Entry spec, "The Exec key"): an argument with a
 * reserved character goes in double quotes, with `"`, `` ` ``, `$` and `\` escaped by a backslash.
 * A control character (a newline above all) cannot be written into one line: refused.
 */
export function quoteExecArg(arg: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) throw new Error(`cannot start ${JSON.stringify(arg)} at login: it contains a control character`);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/**
 * The `Exec=` value: quoted arguments, then the spec's string escaping of the whole value (a
 * backslash becomes `\\`, applied *after* quoting — so a literal backslash in a quoted argument is
 * four backslashes, a `$` is `\\$`), then `%` doubled (field codes).
 */
export function execValue(args: string[]): string {
  return args.map(quoteExecArg).join(' ').replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function autostartEntry(command: string[]): string {
  const exec = execValue([...command, HIDDEN_FLAG]);
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=OpenClaw Mission Control',
    'Comment=Supervise your OpenClaw agents (tray only at login)',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function xdgLoginItem(dir: string, command: string[]): LoginItem {
  const file = join(dir, AUTOSTART_FILE);
  return {
    isEnabled: () => existsSync(file) && !/^Hidden=true$/m.test(readFileSync(file, 'utf8')),
    setEnabled(enabled) {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(file, autostartEntry(command), 0o644);
    },
  };
}

export function electronLoginItem(electron: ElectronFacade): LoginItem {
  return {
    isEnabled: () => electron.getLoginItem().openAtLogin,
    setEnabled: (enabled) =>
      electron.setLoginItem({ openAtLogin: enabled, args: enabled && electron.platform === 'win32' ? [HIDDEN_FLAG] : [] }),
  };
}

/**
 * What the login entry starts: the AppImage file itself (its process runs from a temporary mount),
 * the installed executable, or in development Electron with the app folder.
 */
export function launchCommand(input: { env: NodeJS.ProcessEnv; execPath: string; isPackaged: boolean; appPath: string }): string[] {
  if (input.env.APPIMAGE) return [input.env.APPIMAGE];
  return input.isPackaged ? [input.execPath] : [input.execPath, input.appPath];
}

/** Was this launch started at login without a way to say `--hidden`? (macOS: its login item.) */
export function launchedByLoginItem(electron: ElectronFacade): boolean {
  return electron.platform === 'darwin' && electron.getLoginItem().wasOpenedAtLogin;
}

export function loginItemFor(
  electron: ElectronFacade,
  options: { env: NodeJS.ProcessEnv; command: string[]; autostartDir?: string },
): LoginItem {
  if (electron.platform === 'linux') return xdgLoginItem(options.autostartDir ?? xdgAutostartDir(options.env), options.command);
  return electronLoginItem(electron);
}
