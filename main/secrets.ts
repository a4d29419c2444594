import type { DesktopBootstrap } from '../backend/contract/desktop-bridge.js';
import type { SecretStore } from '../backend/index.js';
import type { SafeStorageFacade } from './facade.js';

export type SecretStorageStatus = DesktopBootstrap['secret_storage'];

export const PLAINTEXT_WARNING = 'No system keyring is available: secrets are kept unencrypted in files only your user can read (0600).';

/**
 * How secrets can be kept at rest on this machine. The OS keychain (macOS Keychain, Windows DPAPI,
 * libsecret/kwallet on Linux) when Electron's safeStorage has one; on Linux without a keyring
 * safeStorage falls back to `basic_text` (a fixed key — plain text in all but name), which is said
 * out loud instead of pretending.
 */
export function secretStorageStatus(safeStorage: SafeStorageFacade, platform: NodeJS.Platform): SecretStorageStatus {
  const available = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.selectedBackend() : null;
  if (available && backend !== 'basic_text' && backend !== 'unknown') return { kind: 'os', warning: null };
  return { kind: 'plaintext', warning: PLAINTEXT_WARNING };
}

/** The backend's secret store over the OS keychain; only when `secretStorageStatus` says `os`. */
export function keychainSecretStore(safeStorage: SafeStorageFacade): SecretStore {
  return {
    kind: 'os',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
