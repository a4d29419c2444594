/**
 * The Mission Control backend as it runs in production (file log at info, no response validation),
 * in its own process, seeding agents on request.
 */
import { startBackend } from '../../backend/index.js';
import type { FromChild, ToChild } from './protocol.js';
import { seeder } from './seed.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: mc-server.ts <dataDir>');
const send = (msg: FromChild) => process.send?.(msg);

const backend = await startBackend({ dataDir, port: 0, logLevel: 'info', logToStdout: false });
const seed = seeder(backend);
process.on('message', (msg: ToChild) => {
  if (msg.type !== 'seed') return;
  const started = performance.now();
  seed(msg.total).then(
    (tokens) => send({ type: 'seeded', tokens, seedMs: performance.now() - started }),
    (err: unknown) => send({ type: 'error', message: String(err) }),
  );
});
// Stop cleanly (closes the database, flushes the log) whether the parent signals or just goes away.
const stop = () => void backend.stop().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
send({ type: 'ready', url: backend.url });
