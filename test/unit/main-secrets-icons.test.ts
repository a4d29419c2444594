import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity } from '../../backend/gateway/device-identity.js';
import { appIcon, trayIcon } from '../../main/icons.js';
import { keychainSecretStore, secretStorageStatus } from '../../main/secrets.js';
import { FakeElectron } from './main-fake-electron.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-main-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets at rest', () => {
  it('the OS keychain is used only when it is a real one (Linux basic_text is plain text)', () => {
    expect(secretStorageStatus(new FakeElectron({ keychain: 'available' }).safeStorage, 'linux')).toEqual({ kind: 'os', warning: null });
    expect(secretStorageStatus(new FakeElectron({ keychain: 'basic_text' }).safeStorage, 'linux').kind).toBe('plaintext');
    expect(secretStorageStatus(new FakeElectron({ keychain: 'none' }).safeStorage, 'darwin').kind).toBe('plaintext');
  });

  it('with the keychain, the device key is stored sealed (a plain one is sealed in place) and loads back the same', () => {
    const store = keychainSecretStore(new FakeElectron({ keychain: 'available' }).safeStorage);
    const file = join(dir, 'gateway-device.json');
    const plain = loadOrCreateDeviceIdentity(file); // headless first: plain PEM, 0600
    expect(readFileSync(file, 'utf8')).toContain('PRIVATE KEY');

    const sealed = loadOrCreateDeviceIdentity(file, Date.now(), store);
    expect(sealed.deviceId).toBe(plain.deviceId);
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('PRIVATE KEY');
    expect(JSON.parse(onDisk)).toHaveProperty('privateKeySealed');
    expect(loadOrCreateDeviceIdentity(file, Date.now(), store).deviceId).toBe(plain.deviceId);
  });

  it('a key sealed by a keychain this process cannot open is replaced, not crashed on', () => {
    const file = join(dir, 'other-device.json');
    const first = loadOrCreateDeviceIdentity(file);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete stored.privateKeyPem;
    writeFileSync(file, JSON.stringify({ ...stored, privateKeySealed: 'c29tZXRoaW5nIGVsc2U=' }));
    const store = keychainSecretStore(new FakeElectron({ keychain: 'available' }).safeStorage);
    expect(loadOrCreateDeviceIdentity(file, Date.now(), store).deviceId).not.toBe(first.deviceId);
  });
});

/** Decode our own (unfiltered RGBA) PNGs enough to read a pixel. */
function pixel(png: Buffer, x: number, y: number): number[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const size = png.readUInt32BE(16);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  const at = y * (size * 4 + 1) + 1 + x * 4;
  return [...raw.subarray(at, at + 4)];
}

describe('icons', () => {
  it('the tray dot has the health colour, the edges are transparent', () => {
    expect(pixel(trayIcon('ok'), 16, 16)).toEqual([46, 160, 67, 255]);
    expect(pixel(trayIcon('attention'), 16, 16)).toEqual([219, 154, 4, 255]);
    expect(pixel(trayIcon('offline'), 16, 16)).toEqual([207, 34, 46, 255]);
    expect(pixel(trayIcon('ok'), 0, 0)[3]).toBe(0);
  });

  it('the app icon is a 512 px square PNG', () => {
    const png = appIcon();
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    expect(pixel(png, 256, 256)).toEqual([46, 160, 67, 255]);
  });
});
