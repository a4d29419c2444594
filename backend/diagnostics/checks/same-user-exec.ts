import { statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { and, eq, ne } from 'drizzle-orm';
import { agents, type GatewayRow } from '../../db/schema.js';
import { call } from '../../gateway/call.js';
import type { GatewayConnection } from '../../gateway/connection.js';
import { gatewayTarget } from '../../gateway/manager.js';
import { CHECKIN_BINARY } from '../../lifecycle/exec-policy.js';
import { gatewayAgentKey } from '../../lifecycle/gateway-agents.js';
import type { CheckDef } from '../types.js';
import { gatewayRows, reachGateway, uncheckedGateways } from './gateway.js';

/*
 * The exposure #13 item 4 names: a gateway on this machine whose agents may run any shell command
 * (exec security "full", OpenClaw's default) as the same OS user as Mission Control can read what that
 * user can — the data dir (the local token, the database, the logs) and every agent's workspace with
 * its token. Sealing at rest narrows what lies readable in files; it cannot stop a process of the same
 * user from asking the keychain or the running app. The remedy is on the gateway's side: another OS
 * user (or a sandbox) for the gateway, or an exec allowlist that runs the check-in and nothing else.
 *
 * The policy is read from the gateway itself (config.get + exec.approvals.get), as exec-policy.ts does
 * for the check-in; "the same OS user" from the owner of the config file the gateway names, when this
 * process can see it.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1)$/i;

/** Is the gateway URL's host this machine (loopback, this host's name, or one of its addresses)? */
export function isThisMachine(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (LOOPBACK.test(host) || host === hostname().toLowerCase()) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address.toLowerCase() === host));
}

/** Where this agent's exec runs and with which security, from the gateway's config and approvals. */
function effectiveExec(config: Json, approvals: Json, key: string | null) {
  const entry = key ? obj(obj(obj(config.agents).entries)[key]) : {};
  const exec = obj(obj(config.tools).exec);
  const own = obj(obj(entry.tools).exec);
  const mode = str(own.mode) ?? str(exec.mode);
  const host = str(own.host) ?? str(exec.host) ?? 'auto';
  const sandbox = str(obj(entry.sandbox).mode) ?? str(obj(obj(obj(config.agents).defaults).sandbox).mode);
  const file = obj(approvals.file);
  const security =
    mode && mode !== 'full'
      ? mode === 'deny'
        ? 'deny'
        : 'allowlist'
      : (str(obj(obj(file.agents)[key ?? '']).security) ?? str(obj(file.defaults).security) ?? str(obj(approvals.resolvedDefaults).security) ?? 'full');
  const sandboxed = host === 'sandbox' || (host === 'auto' && sandbox !== null && sandbox !== 'off');
  const onThisHost = !sandboxed && host !== 'node';
  return { mode, host, sandboxed, security, exposed: onThisHost && security === 'full' };
}

/** Which OS user the gateway runs as, judged by the owner of the config file it names (when visible here). */
function gatewayUser(configPath: string | null): { same: boolean | null; evidence: string } {
  if (!configPath || typeof process.getuid !== 'function') return { same: null, evidence: 'could not tell which OS user runs it' };
  try {
    const { uid } = statSync(configPath);
    const mine = process.getuid();
    return uid === mine
      ? { same: true, evidence: `its config ${configPath} belongs to your OS user (uid ${mine}), as Mission Control does` }
      : { same: false, evidence: `its config ${configPath} belongs to another OS user (uid ${uid})` };
  } catch {
    return { same: null, evidence: `its config ${configPath} is not visible from here` };
  }
}

const REMEDIES = [
  'run the gateway as a separate OS user (or in a container/VM, or with OpenClaw’s sandbox: agents.defaults.sandbox) so its agents cannot read your files',
  `or switch the gateway to an exec allowlist (tools.exec.mode "allowlist") that holds only the pinned check-in command (${CHECKIN_BINARY} with the check-in’s exact arguments — the doctor’s “allow the check-in” fix adds it)`,
];

export const sameUserExec: CheckDef = {
  id: 'gateway.same_user_exec',
  title: 'Agents can read Mission Control’s secrets (gateway on this machine, exec security “full”)',
  severity: 'warning',
  needsApp: true,
  verify: 'Reads each local gateway’s exec policy (config + exec approvals) again.',
  async run(env) {
    const app = env.app!;
    const exposed: Record<string, unknown>[] = [];
    const safe: Record<string, unknown>[] = [];
    const unchecked = uncheckedGateways();
    let local = 0;
    for (const row of gatewayRows(app)) {
      if (!isThisMachine(row.url)) continue;
      local++;
      const hello = await reachGateway(app, row, unchecked);
      if (!hello) continue;
      if (!hello.methods.includes('config.get') || !hello.methods.includes('exec.approvals.get')) {
        unchecked.add(row, 'does not offer config.get / exec.approvals.get');
        continue;
      }
      const finding = await inspect(app.manager.connection(gatewayTarget(row)), row, agentKeys(app, row));
      (finding.exposed ? exposed : safe).push(finding.evidence);
    }
    const evidence = { exposed, not_exposed: safe, local_gateways: local, ...unchecked.evidence() };
    if (exposed.length) {
      const names = exposed.map((e) => `“${String(e.gateway)}” (${String(e.user)}; ${(e.agents as string[]).length ? `agents ${(e.agents as string[]).join(', ')}` : 'its default for new agents'})`);
      return {
        status: 'warn',
        explanation:
          `A gateway on this machine lets its agents run any shell command (exec security “full”, OpenClaw’s default) as the user that owns it: ${names.join('; ')}. ` +
          'Such an agent — an LLM that anything it reads can steer — can read what that user can: Mission Control’s data folder (the local token, the database, the logs) and every other agent’s workspace with its token. ' +
          'Sealing tokens with the OS keychain does not stop a process of the same user. ' +
          `Remedies: ${REMEDIES.join('; ')}. See docs/security.md, “Secrets at rest and a gateway on the same OS user”.`,
        evidence,
      };
    }
    if (local === 0) return { status: 'ok', explanation: 'No gateway runs on this machine.', evidence };
    if (safe.length === 0) return { status: 'skipped', reason: `not checked: ${unchecked.names.join(', ')}`, explanation: '', evidence };
    return {
      status: 'ok',
      explanation: `The gateway(s) on this machine do not give agents unrestricted exec as your OS user (${safe
        .map((s) => `“${String(s.gateway)}”: ${String(s.why)}`)
        .join('; ')}).`,
      evidence,
    };
  },
};

function agentKeys(app: NonNullable<Parameters<CheckDef['run']>[0]['app']>, row: GatewayRow) {
  return app.services.ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.gatewayId, row.id), ne(agents.status, 'deleting')))
    .all()
    .map((a) => ({ name: a.name, key: gatewayAgentKey(a) }));
}

async function inspect(conn: GatewayConnection, row: GatewayRow, keys: { name: string; key: string }[]) {
  const config = await call(conn, 'config.get', {});
  const approvals = await call(conn, 'exec.approvals.get', {});
  const parsed = obj(config.parsed ?? config.config);
  const user = gatewayUser(str(config.path));
  const defaults = effectiveExec(parsed, approvals, null);
  const open = keys.filter((k) => effectiveExec(parsed, approvals, k.key).exposed).map((k) => k.name);
  const base = { gateway: row.name, gateway_id: row.id, url: row.url, user: user.evidence, exec_mode: defaults.mode, default_security: defaults.security };
  if (user.same === false) return { exposed: false, evidence: { ...base, why: user.evidence } };
  if (defaults.exposed || open.length) return { exposed: true, evidence: { ...base, agents: open } };
  const why = defaults.sandboxed ? 'exec runs in a sandbox' : defaults.host === 'node' ? 'exec runs on a node host' : `exec security “${defaults.security}”`;
  return { exposed: false, evidence: { ...base, why } };
}
