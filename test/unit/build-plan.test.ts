import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPlan, recordBuilt, TARGETS } from '../../scripts/build-plan.mjs';

/** `npm start` rebuilds exactly the targets whose sources changed (scripts/build-plan.mjs, #17). */
describe('build plan', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const stale = () => Object.fromEntries(buildPlan(root).map((p) => [p.target.name, p.reason]));
  /** What a successful build of every target leaves: its outputs, and the record of its inputs. */
  const buildAll = () => {
    for (const { target, print } of buildPlan(root)) {
      for (const out of target.outputs) write(out, 'built');
      recordBuilt(root, target.name, print);
    }
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mc-build-plan-'));
    write('package.json', '{}');
    write('backend/cli.ts', 'cli');
    write('backend/contract/agents.ts', 'contract');
    write('main/index.ts', 'main');
    write('renderer/index.html', '<div id="root"></div>');
    write('renderer/src/main.tsx', 'app');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds everything on a fresh clone (no outputs, no record)', () => {
    expect(stale()).toEqual({ backend: 'dist/backend/cli.js is missing', renderer: 'dist/renderer/index.html is missing' });
  });

  it('builds nothing when nothing changed since the last build', () => {
    buildAll();
    expect(stale()).toEqual({ backend: null, renderer: null });
  });

  it('rebuilds only the renderer when a renderer source changed', () => {
    buildAll();
    write('renderer/src/main.tsx', 'app, changed');
    expect(stale()).toEqual({ backend: null, renderer: 'sources changed since the last build' });
  });

  it('rebuilds only the backend when a backend or desktop-shell source changed', () => {
    buildAll();
    write('backend/cli.ts', 'cli, changed');
    expect(stale()).toEqual({ backend: 'sources changed since the last build', renderer: null });
    buildAll();
    write('main/new-window.ts', 'a new file');
    expect(stale()).toEqual({ backend: 'sources changed since the last build', renderer: null });
  });

  it('rebuilds both when the contract (shared by the backend and the renderer) or the lock file changed', () => {
    buildAll();
    write('backend/contract/agents.ts', 'contract, changed');
    expect(stale()).toEqual({ backend: 'sources changed since the last build', renderer: 'sources changed since the last build' });
    buildAll();
    write('package-lock.json', '{"lockfileVersion":3}');
    expect(stale()).toEqual({ backend: 'sources changed since the last build', renderer: 'sources changed since the last build' });
  });

  it('sees a change that kept the old modification time, a deleted source and a deleted output', () => {
    buildAll();
    const file = join(root, 'backend/cli.ts');
    const { atime, mtime } = statSync(file);
    write('backend/cli.ts', 'cl1');
    utimesSync(file, atime, mtime);
    expect(stale().backend).toBe('sources changed since the last build');
    buildAll();
    rmSync(join(root, 'renderer/src/main.tsx'));
    expect(stale().renderer).toBe('sources changed since the last build');
    buildAll();
    rmSync(join(root, 'dist/main/index.js'));
    expect(stale()).toEqual({ backend: 'dist/main/index.js is missing', renderer: null });
  });

  it('covers every folder the real builds compile', () => {
    const inputs = Object.fromEntries(TARGETS.map((t) => [t.name, t.inputs]));
    expect(inputs.backend).toEqual(expect.arrayContaining(['backend', 'main', 'tsconfig.build.json']));
    expect(inputs.renderer).toEqual(expect.arrayContaining(['renderer', 'backend/contract', 'vite.config.ts']));
  });
});
