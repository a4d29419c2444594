// What `npm start` must build before it runs (#17): each build target's inputs are fingerprinted
// (SHA-256 over every file's relative path and content), and a target is rebuilt when its fingerprint
// differs from the one recorded after its last successful build, or when an output is missing. Content,
// not mtimes, so a checkout, a copy or a clock change cannot make old output look current.
// Inputs are whole folders and config files, a superset of what each build reads: an unrelated
// change costs a rebuild, never a stale one. Unit-tested: test/unit/build-plan.test.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const SHARED = ['package.json', 'package-lock.json', 'tsconfig.base.json'];

export const TARGETS = [
  {
    name: 'backend',
    // tsconfig.build.json compiles backend/ and main/ (the desktop shell) into dist/.
    inputs: ['backend', 'main', 'tsconfig.json', 'tsconfig.build.json', ...SHARED],
    outputs: ['dist/backend/cli.js', 'dist/backend/index.js', 'dist/main/index.js'],
    script: 'build:backend',
  },
  {
    name: 'renderer',
    // The renderer may import backend/contract and nothing else outside renderer/ (eslint.config.js).
    inputs: ['renderer', 'backend/contract', 'vite.config.ts', 'tsconfig.renderer.json', ...SHARED],
    outputs: ['dist/renderer/index.html'],
    script: 'build:renderer',
  },
];

export const STAMP_FILE = join('dist', '.build-stamp.json');

function filesUnder(root, entry, out) {
  const abs = join(root, entry);
  if (!existsSync(abs)) return;
  if (statSync(abs).isDirectory()) {
    for (const name of readdirSync(abs).sort()) filesUnder(root, join(entry, name), out);
  } else out.push(entry);
}

/**
 * SHA-256 over the sorted relative paths and content hashes of every file under `inputs`. `seen` keeps
 * each file's hash across targets (both read backend/contract and the package files).
 */
export function fingerprint(root, inputs, seen = new Map()) {
  const files = [];
  for (const entry of inputs) filesUnder(root, entry, files);
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    let content = seen.get(file);
    if (content === undefined) seen.set(file, (content = createHash('sha256').update(readFileSync(join(root, file))).digest('hex')));
    hash.update(file.split(sep).join('/')).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

export function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
  } catch {
    return {};
  }
}

/** Records `fingerprint` as what `target`'s current output was built from. */
export function recordBuilt(root, target, print) {
  const stamp = { ...readStamp(root), [target]: print };
  mkdirSync(dirname(join(root, STAMP_FILE)), { recursive: true });
  writeFileSync(join(root, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/**
 * Every target with its fingerprint now and why it must be built (null: its output is current).
 * Fingerprints are taken before building, so an edit made during a build makes the next start rebuild.
 */
export function buildPlan(root, targets = TARGETS) {
  const stamp = readStamp(root);
  const seen = new Map();
  return targets.map((target) => {
    const print = fingerprint(root, target.inputs, seen);
    const missing = target.outputs.find((o) => !existsSync(join(root, o)));
    const reason = missing
      ? `${relative(root, join(root, missing))} is missing`
      : stamp[target.name] === undefined
        ? 'no record of the last build'
        : stamp[target.name] !== print
          ? 'sources changed since the last build'
          : null;
    return { target, print, reason };
  });
}
