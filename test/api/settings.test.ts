import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAppSettings } from '../../backend/app-settings.js';
import { startTestApi, type TestApi } from '../support/api.js';

/*
 * The Settings page's API on a real backend and data dir: what can be changed from the UI (log level
 * at once; port and base URL from the next start, saved in app-settings.json), what cannot (set by a
 * flag, variable or the caller at start), and that a restart on the same data dir picks it up.
 */

const open: TestApi[] = [];
afterEach(async () => {
  for (const api of open.splice(0).reverse()) await api.stop(false).catch(() => undefined);
});

/** A test backend whose log level and base URL are not set at start (so the Settings page may change them). */
async function start(overrides: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  const api = await startTestApi({ logLevel: undefined, ...overrides });
  open.push(api);
  return api;
}

async function stop(api: TestApi): Promise<void> {
  open.splice(open.indexOf(api), 1);
  await api.stop(false);
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The log file's lines with this event (the logger writes asynchronously: wait for it a little). */
async function logLines(api: TestApi, event: string, path: string): Promise<string[]> {
  const file = join(api.dataDir, 'logs', 'mission-control.log');
  api.backend.logger.flush();
  await new Promise((r) => setTimeout(r, 300));
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`) && l.includes(path));
}

describe('GET /api/v1/settings', () => {
  it('says what is editable, and what a flag or the caller set at start (not editable)', async () => {
    const api = await start();
    const res = await api.user('get', '/api/v1/settings').expect(200);
    expect(res.body.port).toBe(api.backend.port);
    expect(res.body.log_level).toBe('info');
    expect(res.body.settings_file).toBe(join(api.dataDir, 'app-settings.json'));
    expect(res.body.editable).toEqual({
      // The test harness passes port 0 to startBackend: that counts as set at start.
      port: { saved: null, set_by: 'the start options', applies: 'restart' },
      base_url: { saved: null, set_by: null, applies: 'restart' },
      log_level: { saved: null, set_by: null, applies: 'now' },
      retention_days: { saved: null, set_by: null, applies: 'now' },
    });
    expect(res.body.restart_required).toBe(false);
    expect(res.body.previous_base_url).toBeNull();
  });
});

describe('PATCH /api/v1/settings', () => {
  it('refuses bad values with 422 naming each field, and writes nothing', async () => {
    const api = await start();
    const before = readFileSync(join(api.dataDir, 'app-settings.json'), 'utf8');
    const cases: [Record<string, unknown>, string][] = [
      [{ port: 0 }, 'port'],
      [{ port: 70_000 }, 'port'],
      [{ port: 80.5 }, 'port'],
      [{ port: '8080' }, 'port'],
      [{ base_url: 'ftp://files.example/' }, 'base_url'],
      [{ base_url: 'not a url' }, 'base_url'],
      [{ base_url: 'http://user:pw@mc.example:8000' }, 'base_url'],
      [{ base_url: 'http://mc.example:8000/?x=1' }, 'base_url'],
      [{ log_level: 'loud' }, 'log_level'],
      [{ log_level: 'silent' }, 'log_level'],
      // An unknown key is ignored (as the web edition ignores it), so it rides along with a bad one.
      [{ colour: 'blue', port: 0 }, 'port'],
    ];
    for (const [body, field] of cases) {
      const res = await api.user('patch', '/api/v1/settings').send(body).expect(422);
      const locs = (res.body.detail as { loc: (string | number)[] }[]).map((d) => d.loc.join('.'));
      expect(locs, JSON.stringify(body)).toContain(field ? `body.${field}` : 'body');
    }
    // Several bad fields at once: each is named.
    const both = await api.user('patch', '/api/v1/settings').send({ port: -1, log_level: 3 }).expect(422);
    expect((both.body.detail as { loc: string[] }[]).map((d) => d.loc.join('.')).sort()).toEqual(['body.log_level', 'body.port']);
    expect(readFileSync(join(api.dataDir, 'app-settings.json'), 'utf8')).toBe(before);
  });

  it('refuses a setting given at start (flag, variable or caller), naming it and where it came from', async () => {
    const api = await start({ logLevel: 'warn' });
    const res = await api.user('patch', '/api/v1/settings').send({ port: 9123, log_level: 'debug', base_url: 'http://mc.example:1' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { loc: ['body', 'port'], msg: expect.stringMatching(/set by the start options/), type: 'set_at_start' },
      { loc: ['body', 'log_level'], msg: expect.stringMatching(/set by the start options/), type: 'set_at_start' },
    ]);
    // Nothing of the request was applied, not even the allowed base URL.
    expect(api.backend.logger.level).toBe('warn');
    expect(readAppSettings(api.dataDir)?.preferences).toEqual({});
  });

  it('applies the log level at once (debug request lines appear in the log), and keeps it across a restart', async () => {
    const api = await start();
    await api.user('get', '/api/v1/boards?probe=before').expect(200);
    expect(await logLines(api, 'http.request', '/api/v1/boards')).toEqual([]);

    const res = await api.user('patch', '/api/v1/settings').send({ log_level: 'debug' }).expect(200);
    expect(res.body.log_level).toBe('debug');
    expect(res.body.editable.log_level.saved).toBe('debug');
    expect(res.body.restart_required).toBe(false);
    await api.user('get', '/api/v1/boards?probe=after').expect(200);
    expect((await logLines(api, 'http.request', '/api/v1/boards')).length).toBeGreaterThan(0);
    // The doctor reads the same logger: it now warns that debug logging is on.
    const check = await api.user('get', '/api/v1/doctor/checks/logging.level').expect(200);
    expect(check.body.status).toBe('warn');

    await stop(api);
    const again = await start({ dataDir: api.dataDir });
    expect(again.backend.logger.level).toBe('debug');
    // Back to the default, at once.
    const reset = await again.user('patch', '/api/v1/settings').send({ log_level: null }).expect(200);
    expect(reset.body.log_level).toBe('info');
    expect(reset.body.editable.log_level.saved).toBeNull();
    expect(again.backend.logger.level).toBe('info');
  });

  it('saves the base URL for the next start; after it, agents are told the new URL and its host is accepted', async () => {
    const api = await start();
    const oldUrl = api.backend.config.baseUrl;
    const res = await api.user('patch', '/api/v1/settings').send({ base_url: 'http://mc.example.test:9000/' }).expect(200);
    expect(res.body.base_url).toBe(oldUrl); // in use until the restart
    expect(res.body.editable.base_url.saved).toBe('http://mc.example.test:9000');
    expect(res.body.restart_required).toBe(true);
    expect(readAppSettings(api.dataDir)).toMatchObject({ base_url: oldUrl, preferences: { base_url: 'http://mc.example.test:9000' } });
    // Not yet: the Host allowlist was built at start.
    await api.raw().get('/healthz').set('Host', 'mc.example.test:9000').expect(403);

    await stop(api);
    const again = await start({ dataDir: api.dataDir });
    const after = await again.user('get', '/api/v1/settings').expect(200);
    expect(after.body.base_url).toBe('http://mc.example.test:9000');
    expect(after.body.restart_required).toBe(false);
    // Provisioned agents still call the old URL until a template sync: the page says which one.
    expect(after.body.previous_base_url).toBe(oldUrl);
    expect(readAppSettings(again.dataDir)?.base_url).toBe('http://mc.example.test:9000');
    await again.raw().get('/healthz').set('Host', 'mc.example.test:9000').expect(200);
    const openapi = await again.raw().get('/openapi.json').expect(200);
    expect(openapi.body.servers[0].url).toBe('http://mc.example.test:9000');
  });

  it('saves the port for the next start, where the server listens on it (and a defaulted base URL follows)', async () => {
    const api = await start();
    const port = await freePort();
    const refused = await api.user('patch', '/api/v1/settings').send({ port }).expect(422); // port 0 from the harness wins
    expect(refused.body.detail[0].loc).toEqual(['body', 'port']);
    await stop(api);

    // `setBy: {}`: the harness's port 0 counts as a default (as `mission-control serve` without --port
    // or MC_PORT), so the saved port applies at the next start.
    const first = await start({ dataDir: api.dataDir, setBy: {} });
    const saved = await first.user('patch', '/api/v1/settings').send({ port }).expect(200);
    expect(saved.body.editable.port).toEqual({ saved: port, set_by: null, applies: 'restart' });
    expect(saved.body.port).toBe(first.backend.port);
    expect(saved.body.restart_required).toBe(true);
    await stop(first);

    const again = await start({ dataDir: api.dataDir, setBy: {} });
    expect(again.backend.port).toBe(port);
    const after = await again.user('get', '/api/v1/settings').expect(200);
    expect(after.body.port).toBe(port);
    expect(after.body.base_url).toBe(`http://localhost:${port}`);
    expect(after.body.restart_required).toBe(false);
    // Back to the default: saved as "no preference", the running port stays until the next start.
    const reset = await again.user('patch', '/api/v1/settings').send({ port: null }).expect(200);
    expect(reset.body.editable.port.saved).toBeNull();
    expect(readAppSettings(again.dataDir)?.preferences).toEqual({});
  });

  it('a saved port that cannot be bound at the next start does not keep the app from starting; resetting a saved port is a pending restart', async () => {
    // The port the app uses without a saved one (as 8000 is for `mission-control serve`).
    const defaultPort = await freePort();
    const first = await start({ port: defaultPort, setBy: {} });
    const savedPort = await freePort();
    await first.user('patch', '/api/v1/settings').send({ port: savedPort }).expect(200);
    await stop(first);

    // Someone else takes the saved port meanwhile: the app starts on its default and says so.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(savedPort, '127.0.0.1', resolve));
    try {
      const fallback = await start({ dataDir: first.dataDir, port: defaultPort, setBy: {} });
      expect(fallback.backend.port).toBe(defaultPort);
      const settings = await fallback.user('get', '/api/v1/settings').expect(200);
      expect(settings.body.editable.port.saved).toBe(savedPort); // kept: the next start tries it again
      expect(settings.body.restart_required).toBe(true);
      const warned = await logLines(fallback, 'app.saved_port_unavailable', `"saved_port":${savedPort}`);
      expect(warned).toHaveLength(1);
      expect(warned[0]).toContain(`"port":${defaultPort}`);
      await stop(fallback);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }

    // Free again: the saved port is used. Resetting it means the next start moves back to the default.
    const onSaved = await start({ dataDir: first.dataDir, port: defaultPort, setBy: {} });
    expect(onSaved.backend.port).toBe(savedPort);
    const reset = await onSaved.user('patch', '/api/v1/settings').send({ port: null }).expect(200);
    expect(reset.body.port).toBe(savedPort);
    expect(reset.body.restart_required).toBe(true);
  });
});
