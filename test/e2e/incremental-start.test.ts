import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type StartedApp } from './start-process.js';

/**
 * `npm start` builds only what changed since the last build (scripts/build-plan.mjs, #17), and never
 * serves old code: on a copy of the project with no dist/ (a fresh clone), the first start builds
 * everything, a start with no change builds nothing, and after a change to a renderer source or a
 * backend source the next start rebuilds that target alone and serves the change.
 */
const repo = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'mc-incremental-start-'));
const root = join(work, 'app');
const dataDir = join(work, 'data');
const COPIED = ['backend', 'main', 'renderer', 'templates', 'scripts', 'package.json', 'package-lock.json', 'vite.config.ts'];
let app: StartedApp | undefined;

afterAll(async () => {
  await app?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function startOnce(): Promise<{ output: string; html: string }> {
  app = await startApp(process.execPath, [join(root, 'scripts', 'start.mjs'), '--port', '0'], { cwd: root, dataDir, timeoutMs: 300_000 });
  const page = await fetch(`${app.url}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const output = app.output();
  await app.stop();
  app = undefined;
  return { output, html };
}

const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(join(root, file), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(root, file), text.replace(from, to));
};

describe('npm start without a rebuild', () => {
  it('builds everything first, then nothing, then exactly the changed target, and serves the change', async () => {
    for (const entry of COPIED) cpSync(join(repo, entry), join(root, entry), { recursive: true });
    for (const file of ['tsconfig.json', 'tsconfig.base.json', 'tsconfig.build.json', 'tsconfig.renderer.json']) cpSync(join(repo, file), join(root, file));
    symlinkSync(realpathSync(join(repo, 'node_modules')), join(root, 'node_modules'));

    const first = await startOnce();
    expect(first.output).toContain('building the backend (dist/backend/cli.js is missing)');
    expect(first.output).toContain('building the renderer (dist/renderer/index.html is missing)');
    expect(first.html).toContain('<div id="root"></div>');

    const backendBuilt = statSync(join(root, 'dist/backend/cli.js')).mtimeMs;
    const rendererBuilt = statSync(join(root, 'dist/renderer/index.html')).mtimeMs;
    const unchanged = await startOnce();
    expect(unchanged.output).not.toContain('building the');
    expect(statSync(join(root, 'dist/backend/cli.js')).mtimeMs).toBe(backendBuilt);
    expect(statSync(join(root, 'dist/renderer/index.html')).mtimeMs).toBe(rendererBuilt);

    const marker = `incremental-${Date.now()}`;
    edit('renderer/index.html', '</head>', `<meta name="mc-test" content="${marker}"></head>`);
    const renderer = await startOnce();
    expect(renderer.output).toContain('building the renderer (sources changed since the last build)');
    expect(renderer.output).not.toContain('building the backend');
    expect(renderer.html).toContain(marker);
    expect(statSync(join(root, 'dist/backend/cli.js')).mtimeMs).toBe(backendBuilt);

    edit('backend/cli.ts', 'Stop: Ctrl+C', `Stop: Ctrl+C (${marker})`);
    const backend = await startOnce();
    expect(backend.output).toContain('building the backend (sources changed since the last build)');
    expect(backend.output).not.toContain('building the renderer');
    expect(backend.output).toContain(`Stop: Ctrl+C (${marker})`);
    expect(backend.html).toContain(marker);
  }, 900_000);
});
