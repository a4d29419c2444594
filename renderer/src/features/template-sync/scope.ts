import type { AgentRead } from '../../../../backend/contract/agents';
import type { BoardRead } from '../../../../backend/contract/boards';
import type { GatewayRead } from '../../../../backend/contract/gateways';

export interface Scope {
  gateway: GatewayRead;
  boards: BoardRead[];
  agents: AgentRead[];
}
