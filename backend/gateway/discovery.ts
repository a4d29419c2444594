import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import JSON5 from 'json5';
import { z } from 'zod';

/*
 * Auto-detect a gateway on this machine from its config (`~/.openclaw/openclaw.json`, or
 * `$OPENCLAW_CONFIG_PATH`). The result is only offered to the user; the token never leaves the
 * backend (the API says `has_token`, and a create can ask to use it).
 */

const LocalGatewayConfig = z.looseObject({
  gateway: z
    .looseObject({
      port: z.number().int().min(1).max(65_535).optional(),
      bind: z.string().optional(),
      auth: z.looseObject({ mode: z.string().optional(), token: z.string().optional() }).optional(),
      tls: z.looseObject({ enabled: z.boolean().optional() }).optional(),
    })
    .optional(),
});

export interface DiscoveryResult {
  found: boolean;
  configPath: string;
  url: string | null;
  token: string | null;
  problem: string | null;
}

export const DEFAULT_GATEWAY_PORT = 18789;

export function localGatewayConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENCLAW_CONFIG_PATH) return env.OPENCLAW_CONFIG_PATH;
  const stateDir = env.OPENCLAW_STATE_DIR ?? join(env.OPENCLAW_HOME ?? env.HOME ?? homedir(), '.openclaw');
  return join(stateDir, 'openclaw.json');
}

export function discoverLocalGateway(env: NodeJS.ProcessEnv = process.env): DiscoveryResult {
  const configPath = localGatewayConfigPath(env);
  const none = (problem: string | null): DiscoveryResult => ({ found: false, configPath, url: null, token: null, problem });
  if (!existsSync(configPath)) return none(null);
  let raw: unknown;
  try {
    raw = JSON5.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    return none(`${configPath} is not valid JSON5: ${(err as Error).message}`);
  }
  const parsed = LocalGatewayConfig.safeParse(raw);
  if (!parsed.success) return none(`${configPath} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const gateway = parsed.data.gateway ?? {};
  const port = gateway.port ?? DEFAULT_GATEWAY_PORT;
  // Loopback and LAN binds are both reachable on this machine through loopback.
  const scheme = gateway.tls?.enabled ? 'wss' : 'ws';
  const token = gateway.auth?.token && gateway.auth.token !== '__OPENCLAW_REDACTED__' ? gateway.auth.token : null;
  return { found: true, configPath, url: `${scheme}://127.0.0.1:${port}`, token, problem: null };
}
