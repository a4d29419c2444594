import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The seed's "export database state" for a support bundle: a consistent copy of the live database made
 * with SQLite's online backup (the app keeps writing meanwhile), then stripped of every secret before
 * it leaves the data folder:
 * - secret columns are emptied (gateway and device tokens, agent token hashes, retired token hashes,
 *   refused-token prefixes; NOT NULL keys become `redacted:<rowid>`);
 * - every other text cell goes through the bundle's scrub (known secrets, bearer and token-shaped values);
 * - `secure_delete` + VACUUM rewrite the file so no old page keeps a removed value;
 * - the bytes are searched for every known secret form: one hit and the copy is left out, saying why.
 */

/** Columns that hold a secret or a value derived from one, by table. */
const SECRET_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  gateways: ['token', 'device_token'],
  agents: ['agent_token_hash'],
  retired_agent_tokens: ['token_hash'],
  agent_auth_failures: ['key', 'token_prefix'],
};

/** Any other column named like a secret is emptied too (a column a later migration adds). */
const SECRET_NAME = /(^|_)(token|token_hash|token_prefix|secret|password|private_key|device_token)$/i;
/** Named like one, but a state, not a value (`match` / `mismatch` / `missing`). */
const NOT_SECRET = new Set(['template_drift_memory.token']);

export type DatabaseCopy = { bytes: Buffer; redacted_columns: string[] } | { error: string };

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface ColumnInfo {
  name: string;
  notnull: number;
  pk: number;
}

export async function redactedDatabaseCopy(
  source: Database.Database,
  workDir: string,
  scrub: (text: string) => string,
  secretForms: readonly string[],
): Promise<DatabaseCopy> {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const path = join(workDir, `db-copy-${randomBytes(6).toString('hex')}.sqlite`);
  try {
    await source.backup(path);
    const copy = new Database(path);
    let redacted: string[];
    try {
      copy.pragma('journal_mode = DELETE');
      copy.pragma('secure_delete = ON');
      copy.function('mc_scrub', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? scrub(value) : value));
      redacted = redact(copy);
      copy.exec('VACUUM');
    } finally {
      copy.close();
    }
    const bytes = readFileSync(path);
    const survivor = secretForms.find((form) => bytes.includes(Buffer.from(form, 'utf8')));
    if (survivor !== undefined) return { error: 'left out: a known secret survived the redaction of the database copy' };
    return { bytes, redacted_columns: redacted };
  } catch (err) {
    return { error: `left out: the database copy failed (${(err as Error).message})` };
  } finally {
    rmSync(path, { force: true });
    rmSync(`${path}-journal`, { force: true });
  }
}

function redact(db: Database.Database): string[] {
  const tables = (
    db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
      sql: string | null;
    }[]
  ).filter((t) => !/^CREATE VIRTUAL/i.test(t.sql ?? ''));
  const redacted: string[] = [];
  db.transaction(() => {
    for (const { name: table } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as ColumnInfo[];
      const secret = columns.filter(
        (c) => !NOT_SECRET.has(`${table}.${c.name}`) && (SECRET_COLUMNS[table]?.includes(c.name) || SECRET_NAME.test(c.name)),
      );
      for (const c of secret) {
        const value = c.notnull || c.pk ? `'redacted:' || rowid` : 'NULL';
        db.prepare(`UPDATE ${quote(table)} SET ${quote(c.name)} = ${value}`).run();
        redacted.push(`${table}.${c.name}`);
      }
      for (const c of columns.filter((col) => !secret.includes(col))) {
        const col = quote(c.name);
        try {
          db.prepare(
            `UPDATE ${quote(table)} SET ${col} = mc_scrub(${col}) WHERE typeof(${col}) = 'text' AND ${col} <> mc_scrub(${col})`,
          ).run();
        } catch {
          // Scrubbing made two values of a unique column equal: the column goes instead.
          db.prepare(`UPDATE ${quote(table)} SET ${col} = ${c.notnull || c.pk ? `'redacted:' || rowid` : 'NULL'}`).run();
          redacted.push(`${table}.${c.name}`);
        }
      }
    }
  })();
  return redacted;
}
