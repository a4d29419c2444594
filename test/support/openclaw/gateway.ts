import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { connectRaw, RawRpcError } from './raw-client.js';
import { TEST_ROOT, type OpenClawRuntime } from './runtime.js';

export { connectRaw, rawRpc, RawRpcError, type RawConnection, type RawEvent } from './raw-client.js';

/*
 * One throwaway, loopback-only gateway process with its own HOME and state dir, configured as the
 * shared openclaw-gateway.md fact sheet verified: no network at startup, the scripted model as the only
 * provider, periodic heartbeats off (wake still works). Set OPENCLAW_TEST_KEEP=1 to keep the folder.
 */

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 8_000;

export interface StartGatewayOptions {
  runtime: OpenClawRuntime;
  /** Scripted model origin (http://127.0.0.1:<port>); the provider base URL is `${modelUrl}/v1`. */
  modelUrl: string;
  port?: number;
}

export interface RunningGateway {
  url: string;
  token: string;
  stateDir: string;
  homeDir: string;
  /** The current process (changes after `restart`). */
  readonly pid: number;
  /** The gateway's own log (logging.file); its stdout/stderr go to `stdout.log` next to it. */
  logFile: string;
  /** Stop the process but keep its state, port and token (a gateway that went down). */
  halt(): Promise<void>;
  /** Start it again on the same port with the same state, and wait for hello-ok. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function gatewayConfig(port: number, token: string, modelUrl: string, logFile: string): unknown {
  return {
    gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token } },
    update: { checkOnStart: false },
    logging: { file: logFile },
    models: {
      catalogRefresh: { enabled: false },
      mode: 'merge',
      providers: {
        stub: {
          baseUrl: `${modelUrl}/v1`,
          apiKey: 'stub-local',
          api: 'openai-completions',
          models: [
            {
              id: 'stub-model',
              name: 'Scripted stub model',
              reasoning: false,
              input: ['text'],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 128_000,
              maxTokens: 8_192,
            },
          ],
        },
      },
    },
    agents: { defaults: { model: { primary: 'stub/stub-model' }, heartbeat: { every: '0m' } } },
  };
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  sweepAbandonedRuns();
  const port = options.port ?? (await freePort());
  const token = randomBytes(24).toString('hex');
  // The owner's pid in the name lets a later run sweep folders whose test process died without teardown.
  const runDir = join(TEST_ROOT, `run-${process.pid}-${randomBytes(3).toString('hex')}`);
  const homeDir = join(runDir, 'home');
  const stateDir = join(homeDir, '.openclaw');
  const configPath = join(stateDir, 'openclaw.json');
  const logFile = join(runDir, 'gateway.log');
  const stdoutFile = join(runDir, 'stdout.log');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(configPath, JSON.stringify(gatewayConfig(port, token, options.modelUrl, logFile), null, 2));

  const url = `ws://127.0.0.1:${port}`;
  const tail = () => logTail(logFile, stdoutFile);
  let proc: { child: ChildProcess; exited: Promise<void> } | null = null;
  // Last resort if the test process exits without teardown (the OS would otherwise keep a 1 GB orphan).
  const killOnExit = (): void => {
    proc?.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    const out = openSync(stdoutFile, 'a');
    // Output goes straight to a file: a pipe nobody drains would eventually block the gateway.
    const child = spawn(
      options.runtime.nodeBin,
      [options.runtime.openclawEntry, 'gateway', 'run', '--bind', 'loopback', '--port', String(port)],
      { cwd: runDir, env: gatewayEnv(options.runtime, homeDir, stateDir, configPath), stdio: ['ignore', out, out] },
    );
    closeSync(out);
    writeFileSync(join(runDir, 'gateway.pid'), String(child.pid ?? ''));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    proc = { child, exited };
    await waitUntilReady(url, token, child, exited, tail);
  };
  const halt = async (): Promise<void> => {
    if (proc) await terminate(proc.child, proc.exited);
    proc = null;
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await halt();
      process.removeListener('exit', killOnExit);
      if (process.env.OPENCLAW_TEST_KEEP !== '1') rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    })());

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    token,
    stateDir,
    homeDir,
    get pid() {
      return proc?.child.pid ?? -1;
    },
    logFile,
    halt,
    restart: async () => {
      await halt();
      await launch();
    },
    stop,
  };
}

/**
 * Runs the gateway's own CLI (`openclaw <args>`) against a test gateway's state, as an operator on the
 * gateway host would (it reads the gateway's config, so it reaches the gateway with its token).
 */
export function runOpenClawCli(
  runtime: OpenClawRuntime,
  state: { homeDir: string; stateDir: string },
  args: string[],
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = gatewayEnv(runtime, state.homeDir, state.stateDir, join(state.stateDir, 'openclaw.json'));
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.nodeBin, [runtime.openclawEntry, ...args], { cwd: state.homeDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function gatewayEnv(runtime: OpenClawRuntime, homeDir: string, stateDir: string, configPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A developer's own OPENCLAW_* settings (tokens, profiles) must not leak into the throwaway gateway.
    if (/^OPENCLAW_/i.test(key)) continue;
    // Vitest exports VITEST=true and NODE_ENV=test, and openclaw's dist switches to its own test mode on
    // them (isVitestRuntimeEnv: silent file log, no process hooks, test-only paths): we want production.
    if (/^(VITEST|JEST_WORKER_ID$)/.test(key) || (key === 'NODE_ENV' && value === 'test')) continue;
    env[key] = value;
  }
  return {
    ...env,
    PATH: `${dirname(runtime.nodeBin)}${delimiter}${env.PATH ?? ''}`,
    HOME: homeDir,
    OPENCLAW_HOME: homeDir,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_NO_RESPAWN: '1',
    OPENCLAW_SKIP_CHANNELS: '1',
    OPENCLAW_NO_AUTO_UPDATE: '1',
  };
}

async function waitUntilReady(url: string, token: string, child: ChildProcess, exited: Promise<void>, tail: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let childGone = false;
  void exited.then(() => (childGone = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (childGone)
      throw new Error(`openclaw gateway exited during startup (code ${child.exitCode}, signal ${child.signalCode})\n${tail()}`);
    try {
      const conn = await connectRaw(url, token, 10_000);
      await conn.close();
      return;
    } catch (error) {
      lastError = error;
      if (!isRetryable(error)) throw new Error(`openclaw gateway refused the harness: ${String(error)}\n${tail()}`);
      await new Promise((r) =>
        setTimeout(r, error instanceof RawRpcError && error.retryAfterMs ? Math.min(error.retryAfterMs, 2_000) : 500),
      );
    }
  }
  throw new Error(`openclaw gateway not ready within ${READY_TIMEOUT_MS / 1000} s (last: ${String(lastError)})\n${tail()}`);
}

/** Startup noise: nothing listening yet, the socket dropped, or `UNAVAILABLE startup-sidecars`. */
function isRetryable(error: unknown): boolean {
  if (error instanceof RawRpcError)
    return error.retryable || error.code === 'UNAVAILABLE' || error.code === 'CLOSED' || error.code === 'TIMEOUT';
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE';
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_GRACE_MS));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function logTail(...files: string[]): string {
  return files
    .filter((file) => existsSync(file))
    .map((file) => `--- ${file} (tail) ---\n${readFileSync(file, 'utf8').split('\n').slice(-40).join('\n')}`)
    .join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes run folders left by test processes that died without teardown. A folder whose gateway is
 * somehow still running is left alone (and reported): its state is in use.
 */
function sweepAbandonedRuns(): void {
  if (!existsSync(TEST_ROOT)) return;
  for (const name of readdirSync(TEST_ROOT)) {
    const owner = Number(/^run-(\d+)-/.exec(name)?.[1]);
    if (!owner || owner === process.pid || alive(owner)) continue;
    const dir = join(TEST_ROOT, name);
    const gatewayPid = existsSync(join(dir, 'gateway.pid')) ? Number(readFileSync(join(dir, 'gateway.pid'), 'utf8')) : 0;
    if (alive(gatewayPid)) console.warn(`[openclaw-test] ${dir}: its owner died but gateway pid ${gatewayPid} still runs; stop it by hand`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
