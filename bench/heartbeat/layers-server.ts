/**
 * For breakdown.ts: the real Mission Control app (createApp) with the database progressively
 * switched back on, so the cost of each layer is a difference between two same-run measurements.
 *   http — services stubbed: auth returns a fixed agent, heartbeat a fixed response (no SQLite)
 *   auth — real token lookup (sha256 + indexed SELECT + row mapping), heartbeat without the write
 *   full — real services, identical to the shipped backend
 */
import type { AddressInfo } from 'node:net';
import { startBackend } from '../../backend/index.js';
import { createApp } from '../../backend/http/create-app.js';
import type { AgentRow } from '../../backend/db/schema.js';
import type { AgentRead } from '../../backend/contract/agents.js';
import { LAYERS, type FromChild, type Layer, type ToChild } from './protocol.js';
import { seeder } from './seed.js';

const [layer, dataDir] = process.argv.slice(2) as [Layer, string];
if (!LAYERS.includes(layer) || !dataDir) throw new Error(`usage: layers-server.ts <${LAYERS.join('|')}> <dataDir>`);
const send = (msg: FromChild) => process.send?.(msg);

const backend = await startBackend({ dataDir, port: 0, logLevel: 'info', logToStdout: false });
const real = backend.services;
let fixed: { row: AgentRow; read: AgentRead } | undefined;
const services = {
  ...real,
  agentAuth: {
    ...real.agentAuth,
    authenticate: (token: string | undefined) => (layer === 'http' ? fixed!.row : real.agentAuth.authenticate(token)),
  },
  agents: {
    ...real.agents,
    heartbeat: (agent: AgentRow, status?: string) =>
      layer === 'http' ? fixed!.read : layer === 'auth' ? real.agents.read(agent) : real.agents.heartbeat(agent, status),
  },
};
const app = createApp({
  services,
  diagnostics: backend.diagnostics,
  logger: backend.logger,
  localToken: backend.localToken,
  allowedHosts: new Set(['127.0.0.1', 'localhost']),
  maxBodyBytes: backend.config.maxBodyBytes,
  validateResponses: false,
  baseUrl: backend.url,
});

const seed = seeder(backend);
process.on('message', (msg: ToChild) => {
  if (msg.type !== 'seed') return;
  seed(msg.total).then(
    (tokens) => {
      const row = real.agentAuth.authenticate(tokens[0]);
      fixed = { row, read: real.agents.read(row) };
      send({ type: 'seeded', tokens, seedMs: 0 });
    },
    (err: unknown) => send({ type: 'error', message: String(err) }),
  );
});
const server = app.listen(0, '127.0.0.1', () => send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
const stop = () => {
  server.closeAllConnections();
  server.close();
  void backend.stop().finally(() => process.exit(0));
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
