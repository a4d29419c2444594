import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/*
 * "Run at boot without a window": the headless server (`serve`) as a systemd user unit (Linux) or a
 * launchd agent (macOS), written and enabled from Settings. The installed app needs no checkout and no
 * separate command: its own executable runs the backend as Node (ELECTRON_RUN_AS_NODE=1, the same
 * Electron ABI its better-sqlite3 was rebuilt for), so no display is needed at boot. From a checkout,
 * Node runs dist/backend/cli.js. Enabling does not start it now (the desktop app holds the data
 * folder): it starts at the next boot or login.
 */

export const SYSTEMD_UNIT = 'openclaw-mission-control.service';
export const LAUNCHD_LABEL = 'ai.openclaw.mission-control';

export interface ServeCommand {
  command: string[];
  env: Record<string, string>;
}

/** What runs at boot: the installed app's executable as Node, or Node on a checkout's build. */
export function serveCommand(input: { isPackaged: boolean; execPath: string; appPath: string; nodePath?: string }): ServeCommand {
  const cli = join(input.appPath, 'dist', 'backend', 'cli.js');
  if (input.isPackaged) return { command: [input.execPath, cli, 'serve'], env: { ELECTRON_RUN_AS_NODE: '1' } };
  return { command: [input.nodePath ?? '/usr/bin/node', cli, 'serve'], env: {} };
}

/** One ExecStart argument as systemd reads it: quoted, `\` and `"` escaped, `%` and `$` doubled. */
export function systemdArg(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('a path with a line break cannot be written into a unit file');
  const escaped = arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

export function systemdUnit(serve: ServeCommand): string {
  const env = Object.entries(serve.env).map(([k, v]) => `Environment=${systemdArg(`${k}=${v}`)}`);
  return [
    '[Unit]',
    'Description=OpenClaw Mission Control (headless)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${serve.command.map(systemdArg).join(' ')}`,
    ...env,
    'Restart=on-failure',
    'RestartSec=5',
    'UMask=0077',
    'NoNewPrivileges=true',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function launchdPlist(serve: ServeCommand, logDir: string): string {
  const env = Object.entries(serve.env);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key><string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...serve.command.map((a) => `    <string>${xml(a)}</string>`),
    '  </array>',
    ...(env.length
      ? [
          '  <key>EnvironmentVariables</key>',
          '  <dict>',
          ...env.map(([k, v]) => `    <key>${xml(k)}</key><string>${xml(v)}</string>`),
          '  </dict>',
        ]
      : []),
    '  <key>RunAtLoad</key><true/>',
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    '  <key>ProcessType</key><string>Background</string>',
    '  <key>Umask</key><integer>63</integer>',
    `  <key>StandardOutPath</key><string>${xml(join(logDir, 'openclaw-mission-control.out.log'))}</string>`,
    `  <key>StandardErrorPath</key><string>${xml(join(logDir, 'openclaw-mission-control.err.log'))}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

export interface RunAtBootDeps {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
  writeFile(path: string, content: string): void;
  removeFile(path: string): void;
  exists(path: string): boolean;
  /** Runs a command; resolves with its exit status and what it printed on stderr. */
  run(command: string, args: string[]): { status: number | null; stderr: string };
}

export interface RunAtBootState {
  enabled: boolean;
  supported: boolean;
  file: string | null;
  /** What happened or what is missing, in plain words. */
  note: string;
}

export function runAtBootFile(platform: NodeJS.Platform, home: string, env: NodeJS.ProcessEnv): string | null {
  if (platform === 'linux') return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user', SYSTEMD_UNIT);
  if (platform === 'darwin') return join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  return null;
}

export function readRunAtBoot(deps: RunAtBootDeps): RunAtBootState {
  const file = runAtBootFile(deps.platform, deps.home, deps.env);
  if (!file)
    return { enabled: false, supported: false, file: null, note: 'Run at boot is offered on Linux (systemd) and macOS (launchd).' };
  return { enabled: deps.exists(file), supported: true, file, note: '' };
}

/** Write and enable (or disable and remove) the unit / agent. A failing step is said, never hidden. */
export function setRunAtBoot(deps: RunAtBootDeps, enabled: boolean, serve: ServeCommand, logDir: string): RunAtBootState {
  const file = runAtBootFile(deps.platform, deps.home, deps.env);
  if (!file) return readRunAtBoot(deps);
  const failed = (what: string, r: { status: number | null; stderr: string }) =>
    r.status === 0 ? null : `${what} failed (${r.stderr.trim().split('\n').pop() || `exit ${r.status}`})`;
  if (deps.platform === 'linux') {
    if (enabled) {
      deps.writeFile(file, systemdUnit(serve));
      const problem =
        failed('systemctl --user daemon-reload', deps.run('systemctl', ['--user', 'daemon-reload'])) ??
        failed(`systemctl --user enable ${SYSTEMD_UNIT}`, deps.run('systemctl', ['--user', 'enable', SYSTEMD_UNIT]));
      return {
        enabled: true,
        supported: true,
        file,
        note:
          problem ??
          'Starts at the next boot (before login only with `loginctl enable-linger`). The desktop app and the service must not run at the same time.',
      };
    }
    const problem = deps.exists(file)
      ? failed(`systemctl --user disable ${SYSTEMD_UNIT}`, deps.run('systemctl', ['--user', 'disable', SYSTEMD_UNIT]))
      : null;
    deps.removeFile(file);
    deps.run('systemctl', ['--user', 'daemon-reload']);
    return { enabled: false, supported: true, file, note: problem ?? 'Removed.' };
  }
  // macOS: launchd loads every agent in ~/Library/LaunchAgents at login.
  if (enabled) {
    deps.writeFile(file, launchdPlist(serve, logDir));
    return {
      enabled: true,
      supported: true,
      file,
      note: 'Starts at the next login. The desktop app and the agent must not run at the same time.',
    };
  }
  if (deps.exists(file)) deps.run('launchctl', ['bootout', `gui/${process.getuid?.() ?? 501}/${LAUNCHD_LABEL}`]);
  deps.removeFile(file);
  return { enabled: false, supported: true, file, note: 'Removed.' };
}

/** The Settings switch's two calls on this machine: real files, real systemctl / launchctl. */
export function runAtBootFor(input: {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isPackaged: boolean;
  execPath: string;
  appPath: string;
  logDir: string;
}): { get(): RunAtBootState; set(enabled: boolean): RunAtBootState } {
  const deps: RunAtBootDeps = {
    platform: input.platform,
    home: homedir(),
    env: input.env,
    writeFile: (path, content) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content, { mode: 0o644 });
    },
    removeFile: (path) => rmSync(path, { force: true }),
    exists: existsSync,
    run: (command, args) => {
      const r = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
      return { status: r.status, stderr: r.error ? r.error.message : r.stderr };
    },
  };
  // An AppImage runs from a temporary mount: there is no stable path for a unit to start.
  const appImage = (state: RunAtBootState): RunAtBootState =>
    input.env.APPIMAGE
      ? { ...state, supported: false, note: 'Run at boot needs the installed app (the .deb): an AppImage runs from a temporary mount.' }
      : state;
  const serve = serveCommand({
    isPackaged: input.isPackaged,
    execPath: input.execPath,
    appPath: input.appPath,
    nodePath: input.env.MC_NODE ?? '/usr/bin/node',
  });
  return {
    get: () => appImage(readRunAtBoot(deps)),
    set: (enabled) => (input.env.APPIMAGE ? appImage(readRunAtBoot(deps)) : setRunAtBoot(deps, enabled, serve, input.logDir)),
  };
}
