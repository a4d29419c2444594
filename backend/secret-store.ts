/*
 * How secrets are kept at rest. Headless (and by default) a secret is written as is, in a 0600 file
 * inside the 0700 data dir. The desktop app injects a store backed by the OS keychain (Electron's
 * safeStorage, see main/secrets.ts) through `startBackend(config, { secretStore })`; the backend
 * itself never imports Electron.
 *
 * Used for the device identity's private key (`gateway-device.json`) and for the gateway tokens and
 * device tokens in the SQLite file (backend/gateway/credential-vault.ts). See docs/deployment.md,
 * "Secrets at rest", and docs/security.md for what sealing does and does not protect against.
 */
export interface SecretStore {
  /** `os`: sealed with the OS keychain; `file`: plain text in 0600 files. */
  readonly kind: 'os' | 'file';
  seal(plain: string): string;
  /** Throws when the sealed text cannot be opened (another machine or user, keychain reset). */
  open(sealed: string): string;
}

export const fileSecretStore: SecretStore = {
  kind: 'file',
  seal: (plain) => plain,
  open: (sealed) => sealed,
};
