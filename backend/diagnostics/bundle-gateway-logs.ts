import { call } from '../gateway/call.js';
import { gatewayTarget } from '../gateway/manager.js';
import type { AppEnv } from './types.js';

/*
 * The seed's "gateway logs around bootstrap": each connected gateway's own log tail through its
 * `logs.tail` RPC (operator.read; `{cursor?, limit?, maxBytes?}` → `{file, cursor, size, lines,
 * truncated?}`), headed by when each of its agents was last woken, so the lines around their bootstrap
 * can be found. A gateway that is not connected or does not offer `logs.tail` gets a note saying so.
 * The caller scrubs the text like every other file of the bundle.
 */

const TAIL_LINES = 2_000;
const TAIL_BYTES = 512 * 1024;
const TIMEOUT_MS = 10_000;

export interface GatewayLogFile {
  name: string;
  content: string;
}

export async function gatewayLogTails(app: AppEnv, now: Date): Promise<GatewayLogFile[]> {
  const db = app.services.ctx.sqlite;
  const gateways = db.prepare('SELECT id, name FROM gateways ORDER BY created_at').all() as { id: string; name: string }[];
  const files: GatewayLogFile[] = [];
  for (const gw of gateways) {
    const wakes = db
      .prepare('SELECT id, name, last_wake_sent_at AS wake, wake_attempts AS attempts FROM agents WHERE gateway_id = ? ORDER BY name')
      .all(gw.id) as { id: string; name: string; wake: number | null; attempts: number }[];
    const header = [
      `# Gateway ${gw.name} (${gw.id}): its own log (logs.tail), collected ${now.toISOString()}`,
      ...wakes.map(
        (a) =>
          `# agent ${a.name} (${a.id}): last woken ${a.wake === null ? 'never' : new Date(a.wake).toISOString()}, wake attempts ${a.attempts}`,
      ),
    ];
    files.push({ name: `gateway-logs/${gw.id}.log`, content: `${[...header, ...(await tail(app, gw.id))].join('\n')}\n` });
  }
  return files;
}

async function tail(app: AppEnv, gatewayId: string): Promise<string[]> {
  const status = app.manager.status(gatewayId);
  if (status.state !== 'connected') return [`# not collected: the gateway is not connected (${status.error?.code ?? status.state})`];
  if (status.hello && !status.hello.methods.includes('logs.tail')) return ['# not collected: this gateway does not offer logs.tail'];
  try {
    const conn = app.manager.connection(gatewayTarget(app.services.gateways.getRow(gatewayId)));
    const res = await call(conn, 'logs.tail', { limit: TAIL_LINES, maxBytes: TAIL_BYTES }, { timeoutMs: TIMEOUT_MS });
    const lines = res.lines.filter((l): l is string => typeof l === 'string');
    return [`# ${res.file ?? 'log file'}: last ${lines.length} lines${res.truncated ? ' (truncated)' : ''}`, ...lines];
  } catch (err) {
    return [`# not collected: logs.tail failed (${(err as Error).message})`];
  }
}
