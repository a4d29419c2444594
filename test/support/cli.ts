import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * `mission-control …` (backend/cli.ts through tsx) as a subprocess, as a person runs it: its exit code
 * and output. MC_PORT, MC_DATA_DIR and MC_LOCAL_AUTH_TOKEN from the test's own environment are
 * cleared unless `env` sets them.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, MC_PORT: '', MC_DATA_DIR: '', MC_LOCAL_AUTH_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}
