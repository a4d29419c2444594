#!/usr/bin/env node
// `npm run build`: every target, then the record `npm start` compares against (build-plan.mjs).
// `node scripts/build.mjs --stale` (what `npm start` runs): only the targets whose sources changed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan, recordBuilt } from './build-plan.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Builds what `stale` selects; returns false (after printing why) when a build fails. */
export function build(root, { stale }) {
  for (const { target, print, reason } of buildPlan(root)) {
    if (stale && reason === null) continue;
    if (stale) console.log(`mission-control: building the ${target.name} (${reason})`);
    const run = spawnSync(npm, ['run', '--silent', target.script], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) return false;
    recordBuilt(root, target.name, print);
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  process.exit(build(root, { stale: process.argv.includes('--stale') }) ? 0 : 1);
}
