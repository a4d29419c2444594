import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startGateway } from './gateway.js';
import { ensureOpenClawRuntime } from './runtime.js';
import { startScriptedModel } from './scripted-model.js';

/*
 * Global setup of the `integration` project only: one real gateway and one scripted model shared by
 * every integration test file (2 cores, ~1 GB RSS per gateway). Tests isolate themselves with unique
 * agent ids, read the values below with `inject()`, and steer the model with modelControl(modelUrl).
 */

declare module 'vitest' {
  interface ProvidedContext {
    /** ws://127.0.0.1:<port> of the shared real gateway. */
    gatewayUrl: string;
    gatewayToken: string;
    /** Scripted model origin, for modelControl(). */
    modelUrl: string;
    stateDir: string;
    homeDir: string;
    /** POST /halt stops the shared gateway (state kept), POST /restart brings it back, POST /crash SIGKILLs it (the harness restarts it). */
    gatewayControlUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const runtime = await ensureOpenClawRuntime();
  const model = await startScriptedModel();
  let gateway;
  try {
    gateway = await startGateway({ runtime, modelUrl: model.url });
  } catch (error) {
    await model.stop();
    throw error;
  }
  console.log(`[openclaw-test] gateway ${gateway.url} (pid ${gateway.pid}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  project.provide('gatewayUrl', gateway.url);
  project.provide('gatewayToken', gateway.token);
  project.provide('modelUrl', model.url);
  project.provide('stateDir', gateway.stateDir);
  project.provide('homeDir', gateway.homeDir);

  const running = gateway;
  // Tests run in worker processes; outage tests ask this process to stop and restart the gateway.
  const control = createServer((req, res) => {
    const action = req.method === 'POST' ? req.url : undefined;
    const work =
      action === '/halt' ? running.halt() : action === '/restart' ? running.restart() : action === '/crash' ? running.crash() : undefined;
    if (!work) {
      res.writeHead(404).end();
      return;
    }
    work.then(
      () => res.writeHead(204).end(),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  project.provide('gatewayControlUrl', `http://127.0.0.1:${(control.address() as AddressInfo).port}`);

  return async () => {
    control.close();
    await running.stop();
    await model.stop();
  };
}
