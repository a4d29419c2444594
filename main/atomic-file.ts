import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Replace `file` in one step (a temporary file next to it, then a rename): whoever reads it — the
 * app on its next start, a desktop session at login — sees the old content or the new, never half.
 */
export function writeFileAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content, { mode });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
