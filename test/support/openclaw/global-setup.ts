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
  return async () => {
    await running.stop();
    await model.stop();
  };
}
