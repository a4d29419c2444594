import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../support/openclaw/gateway.js';
import { ensureOpenClawRuntime } from '../support/openclaw/runtime.js';
import { startScriptedModel, type ScriptedModel } from '../support/openclaw/scripted-model.js';
import { CHROMIUM, E2E } from './e2e-env.js';

/*
 * Playwright's global setup: the same real parts as the integration suite (test/support/openclaw: one
 * throwaway OpenClaw gateway, the scripted model), then the built app served headless exactly as a
 * user runs it (`mission-control serve`), configured to auto-detect that gateway through its
 * openclaw.json and with a short check-in deadline so a whole wake ladder fits in a test. The login
 * link the server prints is what the browser signs in with. Values reach the workers through env.
 * The gateway process lives here, so specs stop and start it through a small loopback control server
 * of this harness (never part of the product): POST /gateway/halt, POST /gateway/restart.
 */

/** Lets specs (worker processes) take the harness gateway down and bring it back, as an operator would. */
function startHarnessControl(gateway: () => RunningGateway | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    const gw = gateway();
    const action = req.method === 'POST' ? { '/gateway/halt': gw?.halt, '/gateway/restart': gw?.restart }[req.url ?? ''] : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action().then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pid: gw?.pid })),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function waitForLoginLink(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no login link printed within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      const link = /(http:\/\/127\.0\.0\.1:\d+\/auth\/login\?code=[\w-]+)/.exec(output())?.[1];
      if (link) {
        clearTimeout(timer);
        resolve(link);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mission-control serve exited (${code}):\n${output()}`));
    });
  });
}

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`SKIPPED e2e setup: no Chromium at ${CHROMIUM} (apt-get install chromium, or set MC_CHROMIUM)`);
    return;
  }
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  mkdirSync(E2E.screenshots, { recursive: true });

  const started = Date.now();
  const runtime = await ensureOpenClawRuntime();
  const model: ScriptedModel = await startScriptedModel();
  let gateway: RunningGateway | undefined;
  let server: ChildProcess | undefined;
  let control: Server | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-e2e-'));
  const stop = async () => {
    await new Promise((r) => (control ? control.close(r) : r(undefined)));
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await gateway?.stop();
    await model.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    gateway = await startGateway({ runtime, modelUrl: model.url });
    console.log(`[e2e] gateway ${gateway.url} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    control = await startHarnessControl(() => gateway);

    const env: NodeJS.ProcessEnv = {};
    // The developer's own OpenClaw settings must not decide what the app detects.
    for (const [k, v] of Object.entries(process.env)) if (!/^(OPENCLAW_|MC_)/.test(k)) env[k] = v;
    let output = '';
    server = spawn(process.execPath, ['dist/backend/cli.js', 'serve', '--port', String(E2E.port)], {
      env: {
        ...env,
        MC_DATA_DIR: dataDir,
        MC_LOCAL_AUTH_TOKEN: E2E.token,
        MC_CHECKIN_DEADLINE_SECONDS: String(E2E.deadlineSeconds),
        MC_MAX_WAKE_ATTEMPTS: '3',
        OPENCLAW_CONFIG_PATH: join(gateway.stateDir, 'openclaw.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    server.stdout?.on('data', collect);
    server.stderr?.on('data', collect);
    const link = await waitForLoginLink(server, () => output, 60_000);

    process.env.MC_E2E_LOGIN_URL = link;
    process.env.MC_E2E_MODEL_URL = model.url;
    process.env.MC_E2E_GATEWAY_URL = gateway.url;
    process.env.MC_E2E_GATEWAY_TOKEN = gateway.token;
    process.env.MC_E2E_DATA_DIR = dataDir;
    process.env.MC_E2E_HARNESS_URL = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
