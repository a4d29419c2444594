import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, loadConfig } from '../../backend/config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig([], { HOME: '/home/u' });
    expect(c).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      baseUrl: 'http://localhost:8000',
      checkinDeadlineSeconds: 30,
      maxWakeAttempts: 3,
      offlineAfterSeconds: 600,
      logLevel: 'info',
    });
    expect(loadConfig(['--offline-after-seconds', '120'], {}).offlineAfterSeconds).toBe(120);
    expect(c.dataDir).toBe(defaultDataDir({ HOME: '/home/u' }));
  });

  it('reads MC_* variables, and flags win over them', () => {
    const env = { HOME: '/h', MC_PORT: '9001', MC_DATA_DIR: '/from/env', MC_MAX_WAKE_ATTEMPTS: '5', MC_LOG_LEVEL: 'debug' };
    expect(loadConfig([], env)).toMatchObject({
      port: 9001,
      dataDir: '/from/env',
      maxWakeAttempts: 5,
      logLevel: 'debug',
      baseUrl: 'http://localhost:9001',
    });
    const c = loadConfig(['--port', '9100', '--data-dir', '/from/flag', '--base-url', 'http://10.1.2.3:9100/'], env);
    expect(c).toMatchObject({ port: 9100, dataDir: '/from/flag', baseUrl: 'http://10.1.2.3:9100' });
  });

  it('per-OS data dirs', () => {
    expect(defaultDataDir({ HOME: '/Users/a' }, 'darwin')).toBe('/Users/a/Library/Application Support/OpenClaw Mission Control');
    expect(defaultDataDir({ HOME: '/home/a', XDG_DATA_HOME: '/xdg' }, 'linux')).toBe('/xdg/openclaw-mission-control');
  });

  it('rejects bad values naming the flag and variable, never echoing a secret', () => {
    expect(() => loadConfig(['--port', 'eighty'], {})).toThrow(/--port \/ MC_PORT/);
    expect(() => loadConfig([], { MC_CHECKIN_DEADLINE_SECONDS: '-1' })).toThrow(/MC_CHECKIN_DEADLINE_SECONDS/);
    expect(() => loadConfig(['--bogus'], {})).toThrow(ConfigError);
    const shortSecret = 'short-secret-value';
    try {
      loadConfig([], { MC_LOCAL_AUTH_TOKEN: shortSecret });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toMatch(/MC_LOCAL_AUTH_TOKEN: must be at least 50 characters/);
      expect(String(err)).not.toContain(shortSecret);
    }
    expect(() => loadConfig([], { MC_LOCAL_AUTH_TOKEN: 'change-me'.padEnd(50, 'x') })).not.toThrow();
  });
});
