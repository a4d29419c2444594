import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, loadConfig, parseConfig, withPreferences } from '../../backend/config.js';

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

describe('settings saved on the Settings page vs flags and env', () => {
  it('records which editable settings a flag or variable set, and by which name', () => {
    const config = loadConfig(['--port', '9001', '--data-dir', '/tmp/x'], { MC_LOG_LEVEL: 'debug', MC_BASE_URL: '' });
    expect(config.setBy).toEqual({ port: '--port', logLevel: 'MC_LOG_LEVEL' });
    expect(loadConfig(['--data-dir', '/tmp/x'], {}).setBy).toEqual({});
    // A program passing values to startBackend: what it passes counts as set at start.
    expect(parseConfig({ dataDir: '/tmp/x', port: 0 }).setBy).toEqual({ port: 'the start options' });
  });

  it('applies saved values only where nothing was set at start; a saved port moves a defaulted base URL', () => {
    const saved = { port: 9100, base_url: undefined, log_level: 'debug' };
    const plain = withPreferences(loadConfig(['--data-dir', '/tmp/x'], {}), saved);
    expect([plain.port, plain.baseUrl, plain.logLevel]).toEqual([9100, 'http://localhost:9100', 'debug']);
    const flagged = withPreferences(loadConfig(['--data-dir', '/tmp/x', '--port', '8123'], { MC_LOG_LEVEL: 'warn' }), saved);
    expect([flagged.port, flagged.baseUrl, flagged.logLevel]).toEqual([8123, 'http://localhost:8123', 'warn']);
    const explicitBase = withPreferences(loadConfig(['--data-dir', '/tmp/x', '--base-url', 'http://localhost:8000'], {}), {
      port: 9100,
      base_url: 'http://saved.example:1',
    });
    expect([explicitBase.port, explicitBase.baseUrl]).toEqual([9100, 'http://localhost:8000']);
    const savedBase = withPreferences(loadConfig(['--data-dir', '/tmp/x'], {}), { port: 9100, base_url: 'http://saved.example:1' });
    expect(savedBase.baseUrl).toBe('http://saved.example:1');
  });
});
