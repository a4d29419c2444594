import { eq } from 'drizzle-orm';
import type { OpenedDb } from '../db/open-db.js';
import { gateways } from '../db/schema.js';
import type { Logger } from '../logging.js';
import { fileSecretStore, type SecretStore } from '../secret-store.js';
import { GatewayError } from './errors.js';

/*
 * A gateway's credentials at rest: its auth token (`gateways.token`) and the device token it issued
 * us (`gateways.device_token`). With an OS-keychain store (the desktop app) a column holds
 * `SEALED_PREFIX + store.seal(token)`, so the SQLite file, its WAL and its backups carry no token
 * bytes; with the file store (headless, the CLI on the data dir) it holds the token as is, in the
 * 0600 database inside the 0700 data dir. The prefix says which, so a plain row left from before
 * (or written by a headless run) is sealed on the next desktop start, and a sealed row met by a
 * process that cannot open it is a clear state — "re-enter the gateway token" — never a crash.
 *
 * The manager opens a column only when it dials (backend/gateway/manager.ts); nothing else needs the
 * plain token, except the support bundle, which must know it to redact it.
 */

export const SEALED_PREFIX = 'mc-sealed:v1:';

export const isSealed = (column: string | null): boolean => column !== null && column.startsWith(SEALED_PREFIX);

export interface CredentialVault {
  /** `os` seals with the OS keychain; `file` keeps plain text in the 0600 database. */
  readonly kind: SecretStore['kind'];
  /** What to write to a token column for this plain token. */
  seal(plain: string): string;
  seal(plain: string | null): string | null;
  /** The plain token a column holds; throws GatewayError `credentials_unreadable` when it cannot be opened. */
  open(column: string | null, what?: 'gateway token' | 'device token'): string | null;
  /** `open`, or null (with the reason) when it cannot be opened. */
  tryOpen(column: string | null): { value: string | null; unreadable: GatewayError | null };
  /** The column holds a plain token this store would seal. */
  needsSealing(column: string | null): boolean;
}

export function createCredentialVault(store: SecretStore = fileSecretStore): CredentialVault {
  function seal(plain: string): string;
  function seal(plain: string | null): string | null;
  function seal(plain: string | null): string | null {
    if (plain === null || store.kind === 'file') return plain;
    return `${SEALED_PREFIX}${store.seal(plain)}`;
  }
  function open(column: string | null, what: 'gateway token' | 'device token' = 'gateway token'): string | null {
    if (column === null || !isSealed(column)) return column;
    if (store.kind === 'file') {
      throw new GatewayError(
        'credentials_unreadable',
        `the ${what} was sealed with the desktop app's OS keychain; this process (headless server or CLI) has no access to it`,
      );
    }
    try {
      return store.open(column.slice(SEALED_PREFIX.length));
    } catch {
      // The store's own message may quote what it was given; say only what happened.
      throw new GatewayError(
        'credentials_unreadable',
        `the OS keychain could not open the sealed ${what} (sealed by another user or machine, or the keychain was reset)`,
      );
    }
  }
  return {
    kind: store.kind,
    seal,
    open,
    tryOpen(column) {
      try {
        return { value: open(column), unreadable: null };
      } catch (err) {
        if (err instanceof GatewayError) return { value: null, unreadable: err };
        throw err;
      }
    },
    needsSealing: (column) => store.kind === 'os' && column !== null && !isSealed(column),
  };
}

/**
 * Seal every plain gateway token and device token (rows from before sealing, or from a headless run)
 * when the store is the OS keychain. The old values must not linger in the file either: with
 * `secure_delete` SQLite zeroes the space a rewritten value leaves, and a TRUNCATE checkpoint moves
 * the rewritten pages into the database and empties the WAL. Returns how many rows were sealed.
 */
export function sealStoredCredentials(opened: OpenedDb, vault: CredentialVault, logger: Logger): number {
  if (vault.kind !== 'os') return 0;
  // For this connection's lifetime: a token replaced later leaves no trace of the old one either.
  opened.sqlite.pragma('secure_delete = ON');
  const rows = opened.db.select({ id: gateways.id, token: gateways.token, deviceToken: gateways.deviceToken }).from(gateways).all();
  const plain = rows.filter((r) => vault.needsSealing(r.token) || vault.needsSealing(r.deviceToken));
  if (plain.length === 0) return 0;
  opened.db.transaction((tx) => {
    for (const r of plain) {
      tx.update(gateways)
        .set({
          token: vault.needsSealing(r.token) ? vault.seal(r.token) : r.token,
          deviceToken: vault.needsSealing(r.deviceToken) ? vault.seal(r.deviceToken) : r.deviceToken,
        })
        .where(eq(gateways.id, r.id))
        .run();
    }
  });
  // VACUUM rewrites the whole file: the pages the plain values lived in before this connection turned
  // secure_delete on (e.g. rows deleted earlier) go too. The database is small; this runs once.
  opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  opened.sqlite.exec('VACUUM');
  opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  logger.child('secrets').info('secrets.sealed_at_rest', 'plain gateway credentials found in the database were sealed with the OS keychain', {
    gateways: plain.length,
  });
  return plain.length;
}
