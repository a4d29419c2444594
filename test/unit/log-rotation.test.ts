import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFiles } from '../../backend/log-file.js';
import { createLogger, LOG_FILE_NAME } from '../../backend/logging.js';

/*
 * The log file is rotated by size and keeps N files: however much is logged, the log takes at most
 * (N + 1) × the size cap, and what was logged last is in the current file.
 */

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('log rotation', () => {
  it('rotates at the size cap, keeps the configured number of files, each within the cap', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mc-log-'));
    const maxBytes = 8 * 1024;
    const keep = 3;
    const logger = createLogger({ level: 'info', logDir: dir, rotation: { maxBytes, keep } });
    const N = 2000;
    for (let i = 0; i < N; i++) logger.info('app.started', `line ${i}`, { i, pad: 'x'.repeat(40) });
    await logger.close();

    const file = join(dir, LOG_FILE_NAME);
    const files = logFiles(file);
    expect(files.map((f) => f.path)).toEqual([file, `${file}.1`, `${file}.2`, `${file}.3`]);
    for (const f of files) expect(f.bytes).toBeLessThanOrEqual(maxBytes);
    expect(files.reduce((a, f) => a + f.bytes, 0)).toBeLessThanOrEqual((keep + 1) * maxBytes);
    // Newest last: the current file ends with the last line; the rotated ones hold the lines just before it, in order.
    const kept = [...files].reverse().flatMap((f) => lines(f.path).map((l) => (JSON.parse(l) as { i: number }).i));
    expect(kept.at(-1)).toBe(N - 1);
    expect(kept).toEqual(kept.map((_, k) => N - kept.length + k));
  });

  it('counts a log file left by an earlier run: a start near the cap rotates early, not past it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mc-log-'));
    const file = join(dir, LOG_FILE_NAME);
    writeFileSync(file, `${'{"old":true}\n'.repeat(300)}`);
    const before = statSync(file).size;
    const logger = createLogger({ level: 'info', logDir: dir, rotation: { maxBytes: before + 100, keep: 2 } });
    for (let i = 0; i < 5; i++) logger.info('app.started', `line ${i}`, { pad: 'y'.repeat(40) });
    await logger.close();
    expect(lines(`${file}.1`).every((l) => l === '{"old":true}')).toBe(true);
    for (const f of logFiles(file)) expect(f.bytes).toBeLessThanOrEqual(before + 100);
  });
});
