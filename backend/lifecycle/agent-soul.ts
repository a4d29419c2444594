import { eq } from 'drizzle-orm';
import type { SoulUpdate } from '../contract/agent-soul.js';
import { agents, type AgentRow } from '../db/schema.js';
import { forbidden, notFound } from '../errors.js';
import { call } from '../gateway/call.js';
import { asAppError } from '../gateway/errors.js';
import type { GatewayManager, GatewayTarget } from '../gateway/manager.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { gatewayAgentKey, readWorkspaceFile } from './gateway-agents.js';

/** How long a soul read or write waits for the gateway's handshake before answering 502. */
const READY_MS = 10_000;

/**
 * An agent's SOUL.md (the web edition's soul routes). Who may touch which agent comes from the
 * caller's token: an agent reads its own soul, a board lead reads and writes those of its board's
 * workers; the board in the path must be the caller's.
 */
export function createAgentSoul(deps: { ctx: ServiceContext; manager: GatewayManager; targetOf: (gatewayId: string) => GatewayTarget }) {
  const { ctx } = deps;
  const { db } = ctx;

  function target(caller: AgentRow, boardId: string, agentId: string, write: boolean): AgentRow {
    if (caller.boardId !== boardId) throw forbidden('Agents can only act on their own board.');
    const agent = db.select().from(agents).where(eq(agents.id, agentId)).get();
    if (!agent || agent.boardId !== boardId) throw notFound('Agent');
    const self = agent.id === caller.id;
    if (write ? !caller.isBoardLead : !(self || caller.isBoardLead)) {
      throw forbidden(write ? 'Only board leads can perform this action' : 'Only the board lead or the agent itself may read its soul.');
    }
    if (write && agent.isBoardLead && !self) throw forbidden('Board leads cannot rewrite another lead.');
    return agent;
  }

  async function connectionFor(agent: AgentRow) {
    const tgt = deps.targetOf(agent.gatewayId);
    await deps.manager.ready(tgt, READY_MS, { failFast: true });
    return deps.manager.connection(tgt);
  }

  return {
    async read(caller: AgentRow, boardId: string, agentId: string): Promise<string> {
      const agent = target(caller, boardId, agentId, false);
      try {
        const read = await readWorkspaceFile(await connectionFor(agent), gatewayAgentKey(agent), 'SOUL.md');
        return read.state === 'present' ? read.content : '';
      } catch (err) {
        throw asAppError(err, { context: 'Gateway SOUL read failed' });
      }
    },

    async write(caller: AgentRow, boardId: string, agentId: string, input: SoulUpdate): Promise<{ ok: true }> {
      const agent = target(caller, boardId, agentId, true);
      const now = ctx.now();
      db.update(agents).set({ soulTemplate: input.content, updatedAt: now }).where(eq(agents.id, agent.id)).run();
      const why = [input.reason ? `reason: ${input.reason}` : '', input.source_url ? `source: ${input.source_url}` : ''].filter(Boolean);
      recordActivity(db, now, {
        eventType: 'agent.soul.updated',
        message: `${caller.name} updated the soul of ${agent.name}${why.length ? ` (${why.join('; ')})` : ''}.`,
        agentId: agent.id,
        boardId,
      });
      try {
        await call(await connectionFor(agent), 'agents.files.set', {
          agentId: gatewayAgentKey(agent),
          name: 'SOUL.md',
          content: input.content,
        });
      } catch (err) {
        throw asAppError(err, { context: 'Gateway SOUL write failed (the soul_template is saved and is written on the next sync)' });
      }
      return { ok: true };
    },
  };
}
