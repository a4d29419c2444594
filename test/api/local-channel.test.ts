import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../backend/local-channel.js';
import { OFFLINE_GATEWAY_URL, startTestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { TestKeyringStore } from '../support/test-keyring-store.js';

/*
 * The desktop app with an OS keychain keeps no local token file at rest: a new token each start,
 * handed to the CLI over `<data dir>/control.sock` (0600, in the 0700 data dir). The CLI keeps
 * working in both modes — the running app's API (token over the socket) and the data dir directly.
 * What this does not change (a process of the same OS user can connect too) is in docs/security.md.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (args: string[], dataDir: string) => runCli(args, { MC_DATA_DIR: dataDir });

describe('the local token without a file at rest (desktop with a keychain)', () => {
  it('no token file; the CLI gets the token over the 0600 socket, and works on the data dir once the app stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-channel-'));
    dirs.push(dataDir);
    const tokenFile = join(dataDir, 'local-auth-token');
    const stale = `stale-${'s'.repeat(60)}`;
    writeFileSync(tokenFile, `${stale}\n`, { mode: 0o600 }); // left by an earlier (headless) run
    const api = await startTestApi({ dataDir }, { localTokenFile: false, secretStore: new TestKeyringStore() });
    try {
      expect(existsSync(tokenFile)).toBe(false);
      const socket = statSync(controlSocketPath(dataDir));
      expect(socket.isSocket()).toBe(true);
      expect(socket.mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      await api.raw().get('/api/v1/gateways').set('Authorization', `Bearer ${stale}`).expect(401);
      await api.user('post', '/api/v1/gateways').send({ name: 'Via socket', url: OFFLINE_GATEWAY_URL, allow_offline: true }).expect(200);

      const listed = await cli(['gateways', 'list', '--json'], dataDir);
      expect(listed.err).toBe('');
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.out) as { name: string }[]).map((g) => g.name)).toEqual(['Via socket']);
      const doctor = await cli(['doctor', '--json'], dataDir);
      expect(JSON.parse(doctor.out).app_running).toBe(true);
    } finally {
      await api.stop(false);
    }
    expect(existsSync(controlSocketPath(dataDir))).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);
    // The app is gone: the CLI works on the data dir itself (no token needed).
    const direct = await cli(['gateways', 'list', '--json'], dataDir);
    expect(direct.code).toBe(0);
    expect((JSON.parse(direct.out) as { name: string }[]).map((g) => g.name)).toEqual(['Via socket']);
  }, 60_000);

  it('headless keeps the 0600 token file and opens no socket', async () => {
    const api = await startTestApi();
    dirs.push(api.dataDir);
    try {
      expect(statSync(join(api.dataDir, 'local-auth-token')).mode & 0o777).toBe(0o600);
      expect(existsSync(controlSocketPath(api.dataDir))).toBe(false);
    } finally {
      await api.stop(false);
    }
  });
});
