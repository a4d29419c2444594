import type { DbOrTx } from '../db/open-db.js';
import type { AgentRow, BoardRow, GatewayRow } from '../db/schema.js';

/*
 * What lifecycle needs of the records the services own, as interfaces: lifecycle/ and services/
 * never import each other (eslint.config.js), compose.ts hands the services in where these are asked.
 */

/** The agent records (services/agent-records.ts). */
export interface AgentRecords {
  getRow(id: string): AgentRow;
  /** Does `token` match the agent's stored hash? */
  tokenMatches(agent: AgentRow, token: string): boolean;
  /** Store `token` as the agent's token (hash only); the previous one is retired at once. */
  setToken(id: string, token: string): void;
  delete(id: string): void;
  /** The gateway's main agent (the one agent with no board), if it has one. */
  mainAgentOf(gatewayId: string, tx?: DbOrTx): AgentRow | undefined;
}

/** The board records (services/boards.ts). */
export interface BoardRecords {
  getRow(id: string): BoardRow;
  delete(id: string): void;
}

/** The gateway records (services/gateways.ts). */
export interface GatewayRecords {
  getRow(id: string): GatewayRow;
  delete(id: string): void;
}
