import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretStore } from '../../backend/secret-store.js';

/**
 * Stands in for the OS keychain (Electron's safeStorage), which cannot run here: a store of kind `os`
 * that really seals — AES-256-GCM with a key held in this process's memory, outside the data dir,
 * as the keychain's key is. A second instance has another key: it is "another user, or the keychain
 * was reset", and opening what the first sealed fails as safeStorage's decryptString does.
 */
export class TestKeyringStore implements SecretStore {
  readonly kind = 'os' as const;
  private readonly key = randomBytes(32);
  /** How many values it sealed and opened (evidence that the backend really went through it). */
  sealed = 0;
  opened = 0;

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    this.sealed++;
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    this.opened++;
    return plain;
  }
}
