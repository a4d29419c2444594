import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedApp {
  url: string;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Stops the whole process tree (start script, backend) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Runs a start command (`npm start`, `node scripts/start.mjs`) in its own process group and resolves
 * once it prints the URL the UI answers on (headless: no display is passed, nothing is downloaded).
 */
export function startApp(command: string, args: string[], opts: { cwd: string; dataDir: string; timeoutMs: number }): Promise<StartedApp> {
  const child: ChildProcess = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, MC_DATA_DIR: opts.dataDir, MC_LOG_LEVEL: 'info', DISPLAY: '', WAYLAND_DISPLAY: '', MC_NO_DOWNLOAD: '1' },
    detached: true, // its own process group, so the whole tree is stopped afterwards
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  };
  return new Promise<StartedApp>((resolve, reject) => {
    const fail = (err: Error) => void stop().then(() => reject(err));
    const timer = setTimeout(() => fail(new Error(`no URL printed within ${opts.timeoutMs} ms:\n${output}`)), opts.timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /is running: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}):\n${output}`));
    });
  });
}
