import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../backend/db/open-db.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openDb', () => {
  it('creates a 0600 file in WAL mode with foreign keys enforced, and migrates it', () => {
    const file = join(dir, 'a.db');
    const { sqlite, close } = openDb(file);
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['agents', 'boards', 'tasks', 'approvals', 'agent_messages']));
      expect(() =>
        sqlite.prepare("INSERT INTO agents (id, gateway_id, name, created_at, updated_at) VALUES ('a', 'missing', 'x', 0, 0)").run(),
      ).toThrow(/FOREIGN KEY/);
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      close();
    }
  });

  it('re-opening applies nothing twice', () => {
    const file = join(dir, 'b.db');
    openDb(file).close();
    const { sqlite, close } = openDb(file);
    const applied = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    close();
    expect(applied.n).toBe(readdirSync('backend/db/migrations').filter((f) => f.endsWith('.sql')).length);
  });

  it('the committed migrations match backend/db/schema.ts (drizzle-kit finds nothing to generate)', () => {
    // drizzle-kit only takes an --out relative to the project, so the copy lives in gitignored .data/.
    const out = join('.data', `migrations-check-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    cpSync('backend/db/migrations', out, { recursive: true });
    const before = readdirSync(out).filter((f) => f.endsWith('.sql'));
    const log = execFileSync(
      'node_modules/.bin/drizzle-kit',
      ['generate', '--dialect', 'sqlite', '--schema', 'backend/db/schema.ts', '--out', out],
      {
        encoding: 'utf8',
      },
    );
    const after = readdirSync(out).filter((f) => f.endsWith('.sql'));
    rmSync(out, { recursive: true, force: true });
    expect(log, 'Run npm run db:generate and commit the migration.').toMatch(/No schema changes/);
    expect(after).toEqual(before);
  }, 60_000);
});
