import type { AgentRow } from '../db/schema.js';
import type { GatewayConnection } from '../gateway/connection.js';
import type { Logger } from '../logging.js';
import type { AgentRecords as AgentService } from '../core/ports.js';
import { generateAgentToken } from '../core/tokens.js';
import { tokenFromAgentsFile } from '../templates/render.js';
import { readWorkspaceFile } from './gateway-agents.js';

/*
 * Which token a provisioning writes into AGENTS.md: the one the workspace holds while it is still
 * valid (retries and updates never rotate), a fresh one when asked or needed — and, after a failed
 * write, whether the gateway applied it anyway.
 */

/** The workspace does not hold the agent's current token and the caller asked not to mint one. */
export class TokenMismatchError extends Error {
  override name = 'TokenMismatchError';
}

export async function readFile(conn: GatewayConnection, key: string, name: string): Promise<string | null> {
  const read = await readWorkspaceFile(conn, key, name);
  return read.state === 'present' ? read.content : null;
}

/** The token the workspace should hold: the one it holds if still valid, else a fresh one. */
export async function chooseToken(
  agents: AgentService,
  conn: GatewayConnection,
  agent: AgentRow,
  key: string,
  rotate: boolean,
  keepOnly = false,
): Promise<{ token: string; rotated: boolean }> {
  if (!rotate && agent.agentTokenHash) {
    const held = await readFile(conn, key, 'AGENTS.md');
    const token = held ? tokenFromAgentsFile(held) : null;
    // Retries and updates keep the agent's token: rotating on every retry caused drift in the web edition.
    if (token && agents.tokenMatches(agent, token)) return { token, rotated: false };
  }
  if (keepOnly && !rotate)
    throw new TokenMismatchError('its workspace does not hold the token Mission Control has for it (token differs); not re-keyed');
  return { token: generateAgentToken(), rotated: true };
}

/**
 * After a failed AGENTS.md write with a freshly minted token: if the workspace holds that token
 * anyway, switch Mission Control to it. If even the read fails the outcome is unknown; the next
 * template sync reports the token as differing and `rotate_tokens` re-keys it.
 */
export async function adoptIfWritten(
  agents: AgentService,
  log: Logger,
  conn: GatewayConnection,
  agentId: string,
  key: string,
  token: string,
): Promise<void> {
  try {
    const held = await readFile(conn, key, 'AGENTS.md');
    if (held !== null && tokenFromAgentsFile(held) === token) {
      agents.setToken(agentId, token);
      log.warn('lifecycle.provision.note', 'the AGENTS.md write failed but the gateway applied it: the new token is in use', {
        gateway_agent_id: key,
      });
    }
  } catch (err) {
    log.warn('lifecycle.provision.note', 'could not read AGENTS.md back after a failed write; the token state is unknown', {
      gateway_agent_id: key,
      error: (err as Error).message,
    });
  }
}
