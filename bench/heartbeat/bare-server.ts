/** The baseline: bare Express 5 with one trivial POST route, in its own process like the backend. */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { FromChild } from './protocol.js';

const app = express();
app.post('/api/v1/agent/heartbeat', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` } satisfies FromChild);
});
// The parent exits → the IPC channel closes → so do we (no orphan servers after a crash).
process.on('disconnect', () => process.exit(0));
// A clean exit (not death by signal) lets `node --cpu-prof` write its profile.
process.on('SIGTERM', () => process.exit(0));
