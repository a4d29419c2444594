import type { AgentRead } from '../../../../backend/contract/agents';
import type { BoardRead } from '../../../../backend/contract/boards';
import type { GatewayRead } from '../../../../backend/contract/gateways';

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface Scope {
  gateway: GatewayRead;
  boards: BoardRead[];
  agents: AgentRead[];
}
