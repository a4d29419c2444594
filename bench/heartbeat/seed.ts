/**
 * Seeding through the in-process services: 5,000 HTTP round-trips would dominate the run time, and
 * setup is never timed as throughput.
 */
import { AgentCreate } from '../../backend/contract/agents.js';
import { BoardCreate } from '../../backend/contract/boards.js';
import { GatewayCreate } from '../../backend/contract/gateways.js';
import type { RunningBackend } from '../../backend/index.js';

/** Boards allow at most 1,000 agents, so seeding opens one gateway + board per 1,000. */
const AGENTS_PER_BOARD = 1000;
const GATEWAY_URL = 'ws://127.0.0.1:18789';

/** Returns `seed(total)`: tops the database up to `total` agents (cumulative) and returns all their tokens. */
export function seeder(backend: RunningBackend): (total: number) => Promise<string[]> {
  const { gateways, boards, agents } = backend.services;
  const tokens: string[] = [];
  let boardId = '';
  return async (total) => {
    while (tokens.length < total) {
      const n = tokens.length;
      if (n % AGENTS_PER_BOARD === 0) {
        // Nothing listens on the gateway URL: where the contract has `allow_offline`, ask to save it anyway.
        const offline = GatewayCreate.safeParse({ name: `Bench gateway ${n}`, url: GATEWAY_URL, allow_offline: true });
        const gw = await gateways.create(
          offline.success ? offline.data : GatewayCreate.parse({ name: `Bench gateway ${n}`, url: GATEWAY_URL }),
        );
        boardId = boards.create(
          BoardCreate.parse({ name: `Bench board ${n}`, description: 'heartbeat bench', gateway_id: gw.id, max_agents: AGENTS_PER_BOARD }),
        ).id;
      }
      const agent = agents.create(AgentCreate.parse({ name: `Bench agent ${n}`, board_id: boardId }));
      tokens.push(agents.rotateToken(agent.id).token);
      // First check-in moves provisioning → online (and writes activity); measure the steady state.
      agents.heartbeat(agents.getRow(agent.id));
    }
    return tokens.slice();
  };
}
