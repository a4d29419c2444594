import type { GatewayConnection, GatewayHello } from '../gateway/connection.js';

/*
 * Agents check in by running `curl` with the gateway's exec tool, headless. A gateway whose exec
 * policy is `ask` (nobody is there to approve) or `allowlist` without an entry for curl refuses that
 * command, and the agent can never check in. Read the policy from the gateway (config + the exec
 * approvals document) and say so, with the narrow fix: an allowlist entry for curl for that agent,
 * never "turn exec approval off".
 */

export const CHECKIN_BINARY = '/usr/bin/curl';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

interface ApprovalsDocument {
  file?: Json;
  hash?: string;
  resolvedDefaults?: { security?: string; ask?: string };
}

export interface ExecPolicyVerdict {
  refused: boolean;
  /** Why a headless check-in would be refused (null when it runs). */
  reason: string | null;
  mode: string | null;
}

const allowsCurl = (entries: unknown): boolean =>
  Array.isArray(entries) && entries.some((e) => typeof obj(e).pattern === 'string' && /(^|\/)curl(\*|$)/.test(String(obj(e).pattern)));

/** Would the gateway run this agent's check-in command without a human? */
export async function checkinExecPolicy(conn: GatewayConnection, hello: GatewayHello, key: string): Promise<ExecPolicyVerdict | null> {
  if (!hello.methods.includes('exec.approvals.get') || !hello.methods.includes('config.get')) return null;
  const config = await conn.request<{ parsed?: unknown; config?: unknown }>('config.get', {});
  const mode = obj(obj(obj(config.parsed ?? config.config).tools).exec).mode;
  const approvals = await conn.request<ApprovalsDocument>('exec.approvals.get', {});
  const file = obj(approvals.file);
  const agentEntry = obj(obj(file.agents)[key]);
  const allowlisted = allowsCurl(agentEntry.allowlist) || allowsCurl(obj(file.defaults).allowlist);
  const security = typeof agentEntry.security === 'string' ? agentEntry.security : (approvals.resolvedDefaults?.security ?? 'full');
  const modeName = typeof mode === 'string' ? mode : null;

  if (security === 'deny') return { refused: true, mode: modeName, reason: 'the gateway denies exec for this agent' };
  const strict = modeName === 'ask' || modeName === 'allowlist' || security === 'allowlist';
  if (strict && !allowlisted) {
    return {
      refused: true,
      mode: modeName,
      reason:
        modeName === 'ask'
          ? 'the gateway asks a person before exec (tools.exec.mode "ask") and a heartbeat run is headless, so its curl check-in is denied'
          : 'the gateway only runs allowlisted commands (exec allowlist) and curl is not on this agent’s list',
    };
  }
  return { refused: false, mode: modeName, reason: null };
}

/** The narrow fix: allowlist curl for this one agent (compare-and-swap on the approvals document). */
export async function allowCheckin(conn: GatewayConnection, key: string): Promise<void> {
  const approvals = await conn.request<ApprovalsDocument>('exec.approvals.get', {});
  const file = obj(approvals.file);
  const agentsMap = obj(file.agents);
  const entry = obj(agentsMap[key]);
  if (allowsCurl(entry.allowlist)) return;
  const allowlist = [...(Array.isArray(entry.allowlist) ? entry.allowlist : []), { pattern: CHECKIN_BINARY }];
  await conn.request('exec.approvals.set', {
    file: { ...file, agents: { ...agentsMap, [key]: { ...entry, allowlist } } },
    baseHash: approvals.hash,
  });
}
