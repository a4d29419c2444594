import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Backend cold start (#17, docs/performance.md "Backend cold start"): what the first answer does not
 * need is not loaded at start. Run in a fresh Node process (this worker's module cache is shared with
 * other test files), through the same startBackend the desktop app and headless `serve` call.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mc-cold-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const PROBE = `
import { createRequire } from 'node:module';
import { startBackend } from './backend/index.ts';
const LAZY = ['handlebars', 'ws'];
const loaded = () => [...new Set(Object.keys(createRequire(import.meta.url).cache).map((f) => f.split('/node_modules/')[1]?.split('/')[0]))];
const backend = await startBackend({ dataDir: process.env.PROBE_DIR, port: 0, logLevel: 'silent', logToStdout: false });
const health = await fetch(backend.url + '/healthz').then((r) => r.status);
const atStart = loaded().filter((p) => LAZY.includes(p));
await backend.stop();
process.stdout.write(JSON.stringify({ health, atStart }));
`;

describe('backend cold start', () => {
  it('answers /healthz without having loaded Handlebars or ws (first render, first gateway connection)', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, PROBE_DIR: dataDir, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { health: number; atStart: string[] };
    expect(result.health).toBe(200);
    expect(result.atStart).toEqual([]);
  });
});
