#!/usr/bin/env node
// `npm run package`: build the app and its installers with electron-builder (networked release
// machine: it downloads Electron and rebuilds native modules for it; see docs/release.md).
// `npm run package:check`: the same configuration, offline — `--linux dir` against a placeholder
// Electron (generated here, never committed), no native rebuild — then check the archive: the app's
// files are in app.asar, nothing else is, and every native module is unpacked next to it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`package: \`${command} ${commandArgs.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

// 1. Build (backend + main + preload, renderer).
run(npm, ['run', '--silent', 'build']);

// 2. Icons, drawn by main/icons.ts (no binary files in the repository).
const { appIcon } = await import(pathToFileURL(join(root, 'dist', 'main', 'icons.js')).href);
const iconDir = join(root, 'build', 'icons');
mkdirSync(iconDir, { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(iconDir, `${size}x${size}.png`), appIcon(size));
writeFileSync(join(root, 'build', 'icon.png'), appIcon(512));

const builder = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder');

if (!check) {
  // Installers for this OS (or what is passed through: `npm run package -- --linux AppImage deb`).
  const passThrough = args.filter((a) => a !== '--check');
  run(builder, ['--publish', 'never', ...passThrough]);
  console.log(`package: installers are in ${join(root, 'dist', 'release')}`);
  process.exit(0);
}

// 3. Offline check: a placeholder Electron, `--linux dir`, no rebuild, output in a temporary folder.
const work = mkdtempSync(join(tmpdir(), 'mc-package-check-'));
const electronDist = join(work, 'electron-dist');
mkdirSync(electronDist);
writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "placeholder Electron (package:check)"\n');
chmodSync(join(electronDist, 'electron'), 0o755);
writeFileSync(join(electronDist, 'LICENSE'), 'placeholder\n');
const output = join(work, 'out');
try {
  run(builder, [
    '--linux',
    'dir',
    '--publish',
    'never',
    `--config.electronDist=${electronDist}`,
    '--config.npmRebuild=false',
    `--config.directories.output=${output}`,
  ]);
  verify(join(output, 'linux-unpacked', 'resources'));
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The file list of an asar archive (its header is a length-prefixed JSON tree). */
function asarFiles(file) {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    const jsonLength = head.readUInt32LE(12);
    const json = Buffer.alloc(jsonLength);
    readSync(fd, json, 0, jsonLength, 16);
    const files = [];
    const walk = (node, prefix) => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        const path = prefix ? `${prefix}/${name}` : name;
        if (child.files) walk(child, path);
        else files.push({ path, unpacked: child.unpacked === true });
      }
    };
    walk(JSON.parse(json.toString('utf8')), '');
    return files;
  } finally {
    closeSync(fd);
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

function verify(resources) {
  const problems = [];
  const asar = join(resources, 'app.asar');
  if (!existsSync(asar)) {
    console.error(`package:check: ${asar} was not produced`);
    process.exit(1);
  }
  const files = asarFiles(asar);
  const paths = new Set(files.map((f) => f.path));
  const has = (p) => paths.has(p);
  const some = (re) => files.some((f) => re.test(f.path));

  for (const required of [
    'package.json',
    'dist/main/index.js',
    'dist/main/preload.cjs',
    'dist/backend/index.js',
    'dist/backend/cli.js',
    'dist/renderer/index.html',
  ])
    if (!has(required)) problems.push(`missing ${required}`);
  if (!some(/^backend\/db\/migrations\/.+\.sql$/)) problems.push('missing the database migrations (backend/db/migrations/*.sql)');
  if (!some(/^backend\/db\/migrations\/meta\/_journal\.json$/)) problems.push('missing the migrations journal');
  if (!some(/^templates\/.+/)) problems.push('missing the agent templates (templates/)');
  if (!some(/^dist\/renderer\/assets\/.+\.js$/)) problems.push('missing the UI bundle (dist/renderer/assets/*.js)');
  for (const dep of ['better-sqlite3', 'express', 'drizzle-orm', 'zod', 'ws', 'pino'])
    if (!some(new RegExp(`^node_modules/${dep}/package\\.json$`))) problems.push(`missing the dependency ${dep}`);

  // Nothing that is not the app: sources, tests, dev tools, source maps, local data.
  for (const [re, what] of [
    [/^(test|bench|renderer|scripts|\.openclaw-test|\.data)\//, 'sources, tests or local data'],
    [/^(main|backend)\/.*\.ts$/, 'TypeScript sources'],
    [/^dist\/(?!backend|main|renderer)/, 'other build output (e.g. dist/release)'],
    [/\.map$/, 'source maps'],
    [/^node_modules\/(electron|electron-builder|vitest|typescript|@playwright|vite|eslint)\//, 'dev dependencies'],
  ]) {
    const found = files.filter((f) => re.test(f.path)).slice(0, 3);
    if (found.length > 0) problems.push(`${what} in the archive: ${found.map((f) => f.path).join(', ')}`);
  }

  // Native modules: marked unpacked in the archive and present beside it.
  const natives = files.filter((f) => f.path.endsWith('.node'));
  const unpackedDir = join(resources, 'app.asar.unpacked');
  const unpackedFiles = new Set(filesUnder(unpackedDir));
  if (!natives.some((f) => /^node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/.test(f.path)))
    problems.push('better_sqlite3.node is not in the archive');
  for (const n of natives) {
    if (!n.unpacked) problems.push(`${n.path} is packed inside app.asar (it cannot be loaded from there)`);
    if (!unpackedFiles.has(n.path)) problems.push(`${n.path} is missing from app.asar.unpacked`);
  }

  if (problems.length > 0) {
    console.error(`package:check: FAILED\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(
    `package:check: ok — app.asar holds ${files.length} files (app, migrations, templates, UI, production dependencies); ` +
      `${natives.length} native module(s) unpacked: ${natives.map((n) => n.path.replace(/^node_modules\//, '')).join(', ')}`,
  );
}
