import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../backend/db/open-db.js';
import { createDbBackup } from '../../backend/schedules/db-backup.js';
import { manualClock } from '../support/api.js';

/*
 * The scheduled database backup on a real SQLite file (the app's own, migrated, in WAL mode):
 * the copy opens, holds the rows, is 0600 in a 0700 folder, and rotation keeps the newest N.
 */

const dir = mkdtempSync(join(tmpdir(), 'mc-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seededDb(name: string) {
  const opened = openDb(join(dir, name));
  opened.sqlite
    .prepare(
      "INSERT INTO gateways (id, name, url, workspace_root, created_at, updated_at) VALUES ('g1', 'Home', 'ws://127.0.0.1:9', '/w', 0, 0)",
    )
    .run();
  return opened;
}

describe('createDbBackup', () => {
  it('writes a consistent copy that opens and holds the rows, 0600 in a 0700 folder, no partial file left', async () => {
    const opened = seededDb('a.db');
    const backups = join(dir, 'a-backups');
    const clock = manualClock(new Date('2026-12-07T03:30:00.123Z'));
    try {
      const backup = createDbBackup({ sqlite: opened.sqlite, dir: backups, now: clock.now, keep: () => 3 });
      // Written after the copy starts being possible: the WAL holds it, the backup must still carry it.
      opened.sqlite.prepare("UPDATE gateways SET name = 'Home (renamed)' WHERE id = 'g1'").run();
      const result = await backup.run();
      expect(result.file).toBe(join(backups, 'mission-control-20261207T033000123Z.db'));
      expect(readdirSync(backups)).toEqual(['mission-control-20261207T033000123Z.db']);
      expect(statSync(result.file).mode & 0o777).toBe(0o600);
      expect(statSync(backups).mode & 0o777).toBe(0o700);
      const copy = new Database(result.file, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.prepare('SELECT id, name FROM gateways').all()).toEqual([{ id: 'g1', name: 'Home (renamed)' }]);
      } finally {
        copy.close();
      }
      expect(backup.list()).toEqual([
        { name: 'mission-control-20261207T033000123Z.db', bytes: result.bytes, at: '2026-12-07T03:30:00.123Z' },
      ]);
    } finally {
      opened.close();
    }
  });

  it('keeps the newest N (a change of N applies at the next run) and removes a crashed run’s partial file', async () => {
    const opened = seededDb('b.db');
    const backups = join(dir, 'b-backups');
    const clock = manualClock(new Date('2026-12-01T03:30:00.000Z'));
    let keep = 3;
    try {
      const backup = createDbBackup({ sqlite: opened.sqlite, dir: backups, now: clock.now, keep: () => keep });
      for (let day = 0; day < 5; day++) {
        await backup.run();
        clock.advance(86_400_000);
      }
      expect(backup.list().map((b) => b.at)).toEqual(['2026-12-03T03:30:00.000Z', '2026-12-04T03:30:00.000Z', '2026-12-05T03:30:00.000Z']);
      // A run that died mid-copy left this; it is never listed as a backup and the next run removes it.
      const partial = join(backups, 'mission-control-20261206T000000000Z.db.partial');
      writeFileSync(partial, 'half a database');
      expect(backup.list()).toHaveLength(3);
      keep = 1;
      const last = await backup.run();
      expect(existsSync(partial)).toBe(false);
      expect(last.removed).toHaveLength(3);
      expect(readdirSync(backups)).toEqual(['mission-control-20261206T033000000Z.db']);
    } finally {
      opened.close();
    }
  });

  it('a copy that cannot be made throws and leaves nothing under a final name', async () => {
    const opened = seededDb('c.db');
    const backups = join(dir, 'c-backups');
    const clock = manualClock();
    const backup = createDbBackup({ sqlite: opened.sqlite, dir: backups, now: clock.now, keep: () => 3 });
    opened.close(); // the source is gone: SQLite refuses the backup
    await expect(backup.run()).rejects.toThrow();
    expect(readdirSync(backups)).toEqual([]);
  });
});
