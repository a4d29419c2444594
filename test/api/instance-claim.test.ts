import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAppSettings } from '../../backend/app-settings.js';
import { claimInstance, instanceFile, InstanceRunningError, readRunningInstance, WRITE_GRACE_MS } from '../../backend/instance.js';
import { startTestApi } from '../support/api.js';

/*
 * The CLI opens the data dir itself only under the same claim the app takes: while it holds it an
 * app cannot start on the data dir (no second writer, no second supervisor), and the other way round.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'mc-claim-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the data-dir claim', () => {
  it('a CLI claim refuses an app and another claim; released, the app starts; a running app refuses a claim', async () => {
    const release = claimInstance(dataDir, 'mission-control templates sync');
    try {
      await expect(startTestApi({ dataDir })).rejects.toThrow(/`mission-control templates sync` is using this data dir \(pid \d+\)/);
      expect(() => claimInstance(dataDir, 'mission-control gateways list')).toThrow(InstanceRunningError);
    } finally {
      release();
    }
    expect(existsSync(instanceFile(dataDir))).toBe(false);

    const api = await startTestApi({ dataDir });
    try {
      expect(() => claimInstance(dataDir, 'mission-control templates sync')).toThrow(/already running on this data dir/);
    } finally {
      await api.stop(false);
    }
  });

  it('a claim left by a dead process is replaced', () => {
    writeFileSync(instanceFile(dataDir), JSON.stringify({ pid: 2 ** 22 + 12345, started_at: new Date().toISOString(), purpose: 'x' }));
    const release = claimInstance(dataDir, 'mission-control templates sync');
    expect(existsSync(instanceFile(dataDir))).toBe(true);
    release();
    expect(existsSync(instanceFile(dataDir))).toBe(false);
  });

  it('a file still being written (empty, fresh) counts as held: neither a command nor an app takes or removes it', async () => {
    writeFileSync(instanceFile(dataDir), ''); // what a reader sees between the exclusive create and the write
    try {
      expect(() => claimInstance(dataDir, 'mission-control templates sync')).toThrow(/just claiming this data dir/);
      await expect(startTestApi({ dataDir })).rejects.toThrow(InstanceRunningError);
      expect(readFileSync(instanceFile(dataDir), 'utf8')).toBe(''); // left alone
    } finally {
      rmSync(instanceFile(dataDir), { force: true });
    }
  });

  it('an unparseable file older than the grace period is left over from a crash and is replaced', () => {
    writeFileSync(instanceFile(dataDir), '{"pid": 12');
    const past = new Date(Date.now() - WRITE_GRACE_MS - 1_000);
    utimesSync(instanceFile(dataDir), past, past);
    const release = claimInstance(dataDir, 'mission-control templates sync');
    expect(readRunningInstance(dataDir)).toMatchObject({ pid: process.pid, purpose: 'mission-control templates sync' });
    release();
  });

  it('the app claims the data dir exclusively, then adds its URL; stopping releases it', async () => {
    const api = await startTestApi({ dataDir });
    try {
      expect(readRunningInstance(dataDir)).toEqual({ pid: process.pid, url: api.url, started_at: expect.any(String) });
      // What it tells agents is kept for commands that work on the data dir while it is stopped.
      expect(readAppSettings(dataDir)?.base_url).toBe(api.backend.config.baseUrl);
      await expect(startTestApi({ dataDir })).rejects.toThrow(/already running on this data dir/);
    } finally {
      await api.stop(false);
    }
    expect(existsSync(instanceFile(dataDir))).toBe(false);
  });
});
