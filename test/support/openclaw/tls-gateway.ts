import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../api.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { checkIn, modelControl } from './model-control.js';
import { ensureOpenClawRuntime } from './runtime.js';

/**
 * A second real gateway serving wss with the certificate it generates itself (self-signed), the
 * scripted model answering its main agents' check-ins, a backend, and a scratch folder for new
 * certificates (`makeSelfSignedCert`). For the TLS tests (doctor-tls, gateway-tofu).
 */
export interface TlsSetup {
  gw: RunningGateway;
  api: TestApi;
  scratch: string;
  stop(): Promise<void>;
}

const MAIN = /^mc-gateway-/;

export async function startTlsSetup(modelUrl: string): Promise<TlsSetup> {
  const model = modelControl(modelUrl);
  const scratch = mkdtempSync(join(tmpdir(), 'mc-tls-'));
  await model.setPatternScript(MAIN, checkIn.obedient());
  const gw = await startGateway({ runtime: await ensureOpenClawRuntime(), modelUrl, tls: true });
  const api = await startTestApi();
  return {
    gw,
    api,
    scratch,
    async stop() {
      await api.stop();
      await gw.stop();
      await model.setPatternScript(MAIN, null);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
