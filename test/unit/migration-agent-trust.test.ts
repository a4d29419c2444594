import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../backend/db/open-db.js';

/*
 * The `agent_trust` migration (#13 items 1, 2) on a database written before it: agents that had put
 * themselves into a lifecycle state through a status heartbeat come back under supervision, and board
 * memory gets its author. The database is migrated up to the migration before it, filled the way the
 * old code wrote it, then opened by the app.
 */

const dir = mkdtempSync(join(tmpdir(), 'mc-mig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** The migrations folder as it was before `agent_trust` (whatever number the migration ends up with). */
function migrationsBefore(tagSuffix: string): string {
  const folder = join(dir, 'migrations');
  cpSync('backend/db/migrations', folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as Journal;
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tagSuffix));
  expect(at, `a migration tagged *${tagSuffix}`).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return folder;
}

describe('migration agent_trust', () => {
  it('lifecycle states an agent set on itself become offline; memory rows get their author', () => {
    const file = join(dir, 'old.db');
    const sqlite = new Database(file);
    sqlite.pragma('foreign_keys = ON');
    migrate(drizzle(sqlite), { migrationsFolder: migrationsBefore('_agent_trust') });
    sqlite.exec(`
      INSERT INTO gateways (id, name, url, workspace_root, created_at, updated_at) VALUES ('g', 'G', 'ws://127.0.0.1:9', '~/.openclaw', 0, 0);
      INSERT INTO boards (id, name, slug, gateway_id, created_at, updated_at) VALUES ('b', 'B', 'b', 'g', 0, 0);
      INSERT INTO agents (id, board_id, gateway_id, name, status, provision_action, created_at, updated_at) VALUES
        ('deleting', 'b', 'g', 'A1', 'deleting', NULL, 0, 0),
        ('self-updating', 'b', 'g', 'A2', 'updating', NULL, 0, 0),
        ('mc-updating', 'b', 'g', 'A3', 'updating', 'update', 0, 0),
        ('busy', 'b', 'g', 'A4', 'busy', NULL, 0, 0),
        ('online', 'b', 'g', 'A5', 'online', NULL, 0, 0);
      INSERT INTO board_memory (id, board_id, content, is_chat, source, created_at) VALUES
        ('ui', 'b', 'hi', 1, 'user', 0), ('api', 'b', 'hi', 1, 'User', 0), ('none', 'b', 'hi', 1, NULL, 0), ('agent', 'b', 'hi', 1, 'A1', 0);
    `);
    sqlite.close();

    const opened = openDb(file);
    try {
      const statuses = Object.fromEntries(
        (opened.sqlite.prepare('SELECT id, status FROM agents').all() as { id: string; status: string }[]).map((r) => [r.id, r.status]),
      );
      expect(statuses).toEqual({
        deleting: 'offline',
        'self-updating': 'offline',
        // Mission Control's own update in progress (provision_action set) is left alone, as are agent-chosen labels.
        'mc-updating': 'updating',
        busy: 'busy',
        online: 'online',
      });
      const authors = Object.fromEntries(
        (
          opened.sqlite.prepare('SELECT id, author, author_agent_id AS a FROM board_memory').all() as {
            id: string;
            author: string;
            a: null;
          }[]
        ).map((r) => [r.id, [r.author, r.a]]),
      );
      expect(authors).toEqual({ ui: ['user', null], api: ['user', null], none: ['user', null], agent: ['agent', null] });
      // Deleting an agent that wrote memory keeps the row (author stays "agent", the id is cleared).
      opened.sqlite.prepare("UPDATE board_memory SET author_agent_id = 'online' WHERE id = 'agent'").run();
      opened.sqlite.prepare("DELETE FROM agents WHERE id = 'online'").run();
      expect(opened.sqlite.prepare("SELECT author, author_agent_id AS a FROM board_memory WHERE id = 'agent'").get()).toEqual({
        author: 'agent',
        a: null,
      });
    } finally {
      opened.close();
    }
  });
});
