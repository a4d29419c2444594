// The Electron-ABI copy of better-sqlite3 (decisions in desktop-runtime.mjs), made once in .native/:
// used by `npm start` and the Electron e2e spec, so both run the main process on the same build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterBindingMake, bindingCommands, bindingFileIn, bindingStep, electronBindingDir } from './desktop-runtime.mjs';

const require = createRequire(import.meta.url);
const resolveDir = (pkg) => dirname(require.resolve(`${pkg}/package.json`));

/** better-sqlite3 built for this Electron, made once in .native/ (the Node build stays for the tests). */
export function electronBinding(root, electronVersion, { fetchDisabled = false, log = console.log } = {}) {
  const dir = electronBindingDir(root, { electronVersion, platform: process.platform, arch: process.arch });
  const file = bindingFileIn(dir);
  const step = bindingStep({ bindingPresent: existsSync(file), fetchDisabled });
  if (step.action === 'use') return { file };
  if (step.action === 'headless') return { reason: step.reason };
  log(`mission-control: ${step.say}`);
  const pkgDir = resolveDir('better-sqlite3');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(pkgDir, dir, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build')) });
  const details = [];
  for (const c of bindingCommands({
    workDir: dir,
    electronVersion,
    arch: process.arch,
    prebuildInstall: join(resolveDir('prebuild-install'), 'bin.js'),
    nodeGyp: require.resolve('node-gyp/bin/node-gyp.js'),
    node: process.execPath,
  })) {
    const run = spawnSync(c.command, c.args, { cwd: c.cwd, encoding: 'utf8' });
    if (run.status === 0 && existsSync(file)) return { file };
    details.push(firstCause(`${run.stderr ?? ''}\n${run.stdout ?? ''}`));
  }
  const detail = details.filter(Boolean).join('; ');
  const after = afterBindingMake(false, detail);
  return { reason: after.reason };
}

/** The line that says why (a network error first), not the tool's closing `not ok`. */
function firstCause(output) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => /ENOTFOUND|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|network/i.test(l)) ??
    lines.find((l) => /error/i.test(l) && !/not ok/.test(l)) ??
    lines.at(-1) ??
    ''
  );
}
