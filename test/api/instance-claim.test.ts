import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimInstance, instanceFile, InstanceRunningError } from '../../backend/instance.js';
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
});
