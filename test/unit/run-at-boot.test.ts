import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  launchdPlist,
  readRunAtBoot,
  serveCommand,
  setRunAtBoot,
  SYSTEMD_UNIT,
  systemdArg,
  systemdUnit,
  type RunAtBootDeps,
} from '../../main/run-at-boot.js';

/*
 * Run at boot without a window: the systemd user unit and launchd agent Settings writes. The unit is
 * checked by the real `systemd-analyze verify` where it exists; enabling is recorded by
 * FakeSystemctl (the real one would change this machine's user services).
 */

const dir = mkdtempSync(join(tmpdir(), 'mc-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('what runs at boot', () => {
  it('the installed app runs its own executable as Node (no display needed, its Electron-ABI better-sqlite3)', () => {
    expect(
      serveCommand({
        isPackaged: true,
        execPath: '/opt/OpenClaw Mission Control/openclaw-mission-control',
        appPath: '/opt/x/resources/app.asar',
      }),
    ).toEqual({
      command: ['/opt/OpenClaw Mission Control/openclaw-mission-control', '/opt/x/resources/app.asar/dist/backend/cli.js', 'serve'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(serveCommand({ isPackaged: false, execPath: '/e/electron', appPath: '/src/mc', nodePath: '/usr/bin/node' }).command).toEqual([
      '/usr/bin/node',
      '/src/mc/dist/backend/cli.js',
      'serve',
    ]);
  });

  it('systemd arguments are quoted and escaped (spaces, quotes, backslashes, % and $); a line break is refused', () => {
    expect(systemdArg('/opt/My App/run')).toBe('"/opt/My App/run"');
    expect(systemdArg('a"b\\c%d$e')).toBe('"a\\"b\\\\c%%d$$e"');
    expect(() => systemdArg('a\nb')).toThrow(/line break/);
  });
});

describe('the systemd user unit', () => {
  it.skipIf(!hasSystemdAnalyze)('passes `systemd-analyze verify`, with a path holding a space and a percent sign', () => {
    // Real files for ExecStart to point at: verify checks the executable exists.
    const appDir = join(dir, 'My App 100%');
    mkdirSync(join(appDir, 'dist', 'backend'), { recursive: true });
    writeFileSync(join(appDir, 'dist', 'backend', 'cli.js'), '');
    const unitFile = join(dir, SYSTEMD_UNIT);
    writeFileSync(unitFile, systemdUnit(serveCommand({ isPackaged: true, execPath: process.execPath, appPath: appDir })));
    const run = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    // Nothing it complains about that concerns this unit.
    expect(`${run.stdout}${run.stderr}`).not.toMatch(new RegExp(SYSTEMD_UNIT.replace('.', '\\.')));
  });
  if (!hasSystemdAnalyze) console.warn('[run-at-boot] systemd-analyze verify skipped: systemd-analyze is not installed here');
});

describe('the launchd agent', () => {
  it('is a plist with the command, the environment and the logs, XML-escaped', () => {
    const plist = launchdPlist(
      serveCommand({ isPackaged: true, execPath: '/Applications/A & B.app/Contents/MacOS/x', appPath: '/r/app.asar' }),
      '/Users/u/Library/Logs',
    );
    expect(plist).toContain('<string>/Applications/A &amp; B.app/Contents/MacOS/x</string>');
    expect(plist).toContain('<key>ELECTRON_RUN_AS_NODE</key><string>1</string>');
    expect(plist).toContain('<key>RunAtLoad</key><true/>');
    const plutil = spawnSync('plutil', ['-help']).error === undefined;
    if (plutil) {
      const file = join(dir, 'agent.plist');
      writeFileSync(file, plist);
      execFileSync('plutil', ['-lint', file]);
    } else console.warn('[run-at-boot] plutil -lint skipped: plutil (macOS) is not available here');
  });
});

/** Stands in for systemctl/launchctl: records the calls; `failing` makes one answer like the real one refusing. */
function fakeSystemctl(home: string, platform: NodeJS.Platform = 'linux', failing?: string) {
  const calls: string[] = [];
  const deps: RunAtBootDeps = {
    platform,
    home,
    env: {},
    writeFile: (p, c) => {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, c);
    },
    removeFile: (p) => rmSync(p, { force: true }),
    exists: existsSync,
    run: (command, args) => {
      const line = [command, ...args].join(' ');
      calls.push(line);
      return failing && line.includes(failing)
        ? { status: 1, stderr: 'Failed to connect to bus: No medium found' }
        : { status: 0, stderr: '' };
    },
  };
  return { deps, calls };
}

describe('Settings → run at boot without a window', () => {
  const serve = serveCommand({ isPackaged: true, execPath: '/opt/mc/openclaw-mission-control', appPath: '/opt/mc/resources/app.asar' });

  it('Linux: writes the unit under ~/.config/systemd/user, reloads and enables it (not --now); off: disables and removes it', () => {
    const home = join(dir, 'home-linux');
    const { deps, calls } = fakeSystemctl(home);
    expect(readRunAtBoot(deps)).toMatchObject({ enabled: false, supported: true });
    const on = setRunAtBoot(deps, true, serve, '/logs');
    const file = join(home, '.config', 'systemd', 'user', SYSTEMD_UNIT);
    expect(on).toMatchObject({ enabled: true, file, note: expect.stringMatching(/next boot/) });
    expect(readFileSync(file, 'utf8')).toContain(
      'ExecStart="/opt/mc/openclaw-mission-control" "/opt/mc/resources/app.asar/dist/backend/cli.js" "serve"',
    );
    expect(calls).toEqual(['systemctl --user daemon-reload', `systemctl --user enable ${SYSTEMD_UNIT}`]);
    expect(readRunAtBoot(deps).enabled).toBe(true);
    const off = setRunAtBoot(deps, false, serve, '/logs');
    expect(off).toMatchObject({ enabled: false });
    expect(existsSync(file)).toBe(false);
    expect(calls.slice(2)).toEqual([`systemctl --user disable ${SYSTEMD_UNIT}`, 'systemctl --user daemon-reload']);
  });

  it('Linux without a user systemd: the unit is written and the failure is said with systemctl’s own words', () => {
    const { deps } = fakeSystemctl(join(dir, 'home-nobus'), 'linux', 'enable');
    expect(setRunAtBoot(deps, true, serve, '/logs').note).toBe(
      `systemctl --user enable ${SYSTEMD_UNIT} failed (Failed to connect to bus: No medium found)`,
    );
  });

  it('macOS: the agent goes to ~/Library/LaunchAgents (loaded at login); Windows: not offered, saying so', () => {
    const home = join(dir, 'home-mac');
    const { deps } = fakeSystemctl(home, 'darwin');
    expect(setRunAtBoot(deps, true, serve, '/logs')).toMatchObject({
      enabled: true,
      file: join(home, 'Library', 'LaunchAgents', 'ai.openclaw.mission-control.plist'),
    });
    expect(readRunAtBoot({ ...deps, platform: 'win32' })).toMatchObject({
      supported: false,
      note: expect.stringMatching(/Linux .* macOS/),
    });
  });
});
