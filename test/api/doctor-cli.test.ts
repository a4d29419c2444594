import { closeSync, copyFileSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';

/*
 * `mission-control doctor` as a subprocess: exit codes (0 ok, 1 failures, 2 usage), the offline
 * checks on a data dir with no app running (occupied port, damaged database, migrations behind),
 * and the API path with --fix when the app runs. Also `serve` on an occupied port names the owner.
 */

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mc-doctor-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = runCli;

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** A data dir holding a real database made by the app (migrated), the app stopped again. */
async function preparedDataDir(): Promise<string> {
  const dir = tempDir();
  const api = await startTestApi({ dataDir: dir });
  await api.stop(false);
  return dir;
}

describe('mission-control doctor (CLI)', () => {
  it('usage errors exit 2', async () => {
    const bad = await cli(['doctor', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Unknown option '--no-such-flag'/);
    expect((await cli(['doctor', '--yes'])).code).toBe(2);
  }, 30_000);

  it('no app running, healthy data dir: offline checks pass, exit 0, names the checks that need the app', async () => {
    const dir = await preparedDataDir();
    const { code, out } = await cli(['doctor', '--data-dir', dir, '--port', '0']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/not running; checked the data dir/);
    expect(out).toMatch(/\[ ok \] Database integrity/);
    expect(out).toMatch(/these checks need it: .*gateway\.connection/);
    const json = await cli(['doctor', '--json', '--data-dir', dir, '--port', '0']);
    const report = JSON.parse(json.out);
    expect(report.app_running).toBe(false);
    expect(report.checks.find((c: { id: string }) => c.id === 'db.migrations').status).toBe('ok');
  }, 60_000);

  it('a data dir that does not exist yet (before the first start): disk.free measures its nearest existing parent, not “the check itself failed”', async () => {
    const parent = tempDir();
    const dir = join(parent, 'not', 'created', 'yet');
    const { out } = await cli(['doctor', '--json', '--data-dir', dir, '--port', '0']);
    const disk = JSON.parse(out).checks.find((x: { id: string }) => x.id === 'disk.free');
    expect(disk.explanation).not.toMatch(/check itself failed/);
    expect(disk.status).not.toBe('fail');
    expect(disk.evidence).toMatchObject({ data_dir: dir, measured_at: parent, free_bytes: expect.any(Number) });
    expect(existsSync(dir), 'the doctor does not create the data dir').toBe(false);
  }, 60_000);

  it('an occupied port: doctor names the owning process and a free alternative (exit 1); serve says the same (exit 2)', async () => {
    const dir = await preparedDataDir();
    const { server, port } = await occupy();
    try {
      const doctor = await cli(['doctor', '--json', '--data-dir', dir, '--port', String(port)]);
      expect(doctor.code).toBe(1);
      const c = JSON.parse(doctor.out).checks.find((x: { id: string }) => x.id === 'api.port');
      expect(c.status).toBe('fail');
      // This test process holds the port: the OS tells us its pid (procfs on Linux, lsof elsewhere).
      expect(c.evidence.owner_pid).toBe(process.pid);
      expect(c.evidence.alternative_port).toBeGreaterThan(port);
      expect(c.explanation).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use\\. It is held by pid ${process.pid}`));

      const serve = await cli(['serve', '--data-dir', dir, '--port', String(port)]);
      expect(serve.code).toBe(2);
      expect(serve.err).toMatch(new RegExp(`held by pid ${process.pid} .*start with --port \\d+`, 's'));

      // The fix the message names, while the port is still held: start on the alternative → it listens there.
      const alternative = c.evidence.alternative_port as number;
      const moved = await startTestApi({ dataDir: dir, port: alternative });
      try {
        expect(moved.url).toContain(`:${alternative}`);
        const verify = (await moved.user('get', '/api/v1/doctor/checks/api.port').expect(200)).body;
        expect(verify).toMatchObject({ status: 'ok', evidence: { url: moved.url } });
      } finally {
        await moved.stop(false);
      }
    } finally {
      server.close();
    }
    // Verify: the port is free again.
    const after = await cli(['doctor', '--json', '--data-dir', dir, '--port', String(port)]);
    expect(JSON.parse(after.out).checks.find((x: { id: string }) => x.id === 'api.port').status).toBe('ok');
  }, 60_000);

  it('a damaged database file: db.integrity fails (exit 1); the backup restored → exit 0', async () => {
    const dir = await preparedDataDir();
    const file = join(dir, 'mission-control.db');
    copyFileSync(file, `${file}.bak`);
    // Overwrite the middle of the file (table b-tree pages) with garbage, as a disk fault would.
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.max(4096, Math.floor(size / 2 / 4096) * 4096));
    closeSync(fd);
    const broken = await cli(['doctor', '--json', '--data-dir', dir, '--port', '0']);
    expect(broken.code).toBe(1);
    const c = JSON.parse(broken.out).checks.find((x: { id: string }) => x.id === 'db.integrity');
    expect(c.status).toBe('fail');
    expect(c.explanation).toMatch(/damaged|could not be opened/);
    copyFileSync(`${file}.bak`, file);
    expect((await cli(['doctor', '--data-dir', dir, '--port', '0'])).code).toBe(0);
  }, 60_000);

  it('migrations behind: db.migrations names the pending one (exit 1); starting the app applies it → exit 0', async () => {
    const dir = await preparedDataDir();
    // The database as the previous build left it: migrated by the migrations before the last one,
    // whatever that one is (a copy of the folder without the journal's last entry).
    const file = join(dir, 'mission-control.db');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    const previous = join(tempDir(), 'migrations');
    cpSync('backend/db/migrations', previous, { recursive: true });
    const journalFile = join(previous, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const last = journal.entries.at(-1)!.tag;
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
    const db = new Database(file);
    migrate(drizzle(db), { migrationsFolder: previous });
    db.close();
    const behind = await cli(['doctor', '--json', '--data-dir', dir, '--port', '0']);
    expect(behind.code).toBe(1);
    const c = JSON.parse(behind.out).checks.find((x: { id: string }) => x.id === 'db.migrations');
    expect(c).toMatchObject({ status: 'fail', evidence: { pending: [expect.stringMatching(new RegExp(`^${last}`))] } });
    expect(c.explanation).toMatch(/applied automatically when the app starts/);
    // The fix the check names: start the app, which applies it.
    const api = await startTestApi({ dataDir: dir });
    await api.stop(false);
    expect((await cli(['doctor', '--data-dir', dir, '--port', '0'])).code).toBe(0);
  }, 60_000);

  it('app running: doctor asks it through the API; a failure exits 1, --fix repairs and verifies it, exit 0', async () => {
    const api = await startTestApi({ logLevel: 'info' });
    try {
      await api.backend.services.wakeLadder.stop();
      api.backend.diagnostics.setThresholds({ maxTickAgeMs: 200 });
      await new Promise((r) => setTimeout(r, 400));
      const broken = await cli(['doctor', '--data-dir', api.dataDir]);
      expect(broken.code, broken.out + broken.err).toBe(1);
      expect(broken.out).toMatch(/asking the running app at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
      expect(broken.out).toMatch(/\[FAIL\] Lifecycle scheduler running/);
      expect(broken.out).toMatch(/fix: Restart the lifecycle scheduler/);
      // The tick runs every second at most; allow a tick age that a running scheduler always meets.
      api.backend.diagnostics.setThresholds({ maxTickAgeMs: 3_000 });
      const fixed = await cli(['doctor', '--fix', '--json', '--data-dir', api.dataDir]);
      const report = JSON.parse(fixed.out);
      expect(report.fixes_applied).toContainEqual(
        expect.objectContaining({
          check: 'scheduler.alive',
          result: expect.objectContaining({ action: 'restart_scheduler', verified: true }),
        }),
      );
      expect(report.checks.find((x: { id: string }) => x.id === 'scheduler.alive').status).toBe('ok');
      expect(fixed.code, fixed.out).toBe(0);
      expect(fixed.out).not.toContain(api.backend.localToken);
    } finally {
      await api.stop();
    }
  }, 60_000);

  it('app running with debug logging left on: --fix sends the level the offered fix names → info, verified', async () => {
    const api = await startTestApi({ logLevel: 'debug' });
    try {
      const fixed = await cli(['doctor', '--fix', '--json', '--data-dir', api.dataDir]);
      const report = JSON.parse(fixed.out);
      expect(report.fixes_applied).toContainEqual(
        expect.objectContaining({
          check: 'logging.level',
          result: expect.objectContaining({ action: 'set_log_level', verified: true }),
        }),
      );
      expect(api.backend.logger.level).toBe('info');
    } finally {
      await api.stop();
    }
  }, 60_000);
});
