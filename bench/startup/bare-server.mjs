/* global process */
// The baseline: bare Express 5 + better-sqlite3, started the way the product is (plain `node`, no loader).
// Opens (creating if needed) a database file in the given folder, and answers GET /healthz from it.
// Usage: node bare-server.mjs <data-dir> <port>
import Database from 'better-sqlite3';
import express from 'express';
import { join } from 'node:path';

const [dataDir, port] = process.argv.slice(2);
const db = new Database(join(dataDir, 'bare.db'));
db.pragma('journal_mode = WAL');
const ping = db.prepare('SELECT 1 AS ok');
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ ok: ping.get().ok === 1 });
});
const server = app.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  db.close();
  process.exit(0);
});
