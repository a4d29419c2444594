import { count, eq } from 'drizzle-orm';
import type { TeardownAgent } from '../contract/gateways.js';
import { agents, boards, gateways, type AgentRow, type GatewayRow } from '../db/schema.js';
import { conflict, notFound, type AppError } from '../errors.js';
import { GatewayError, isTransientGatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { recordActivity } from '../core/activity-log.js';
import type { AgentRecords, BoardRecords, GatewayRecords } from '../core/ports.js';
import type { ServiceContext } from '../core/context.js';
import { withAgentLock } from '../core/agent-lock.js';
import { gatewayAgentKey } from './gateway-agents.js';
import type { Provisioner } from './provisioner.js';

/*
 * Deleting a board or a gateway deletes its agents on the gateway first: an agent left there keeps
 * its cron heartbeat and its shell, with nobody supervising it. `agents.delete` takes the agent's
 * files, sessions, cron jobs and exec approvals with it (verified on the real gateway). When the
 * gateway cannot do it, nothing is deleted and the answer (409) names the agents and the choices:
 * retry once the gateway is back, or `force=true` to delete the records and leave the agents there —
 * which the answer, the activity feed and the log then say, with the ids to remove them by hand.
 */

export interface TeardownDeps {
  ctx: ServiceContext;
  manager: GatewayManager;
  provisioner: Pick<Provisioner, 'removeFromGateway'>;
  agents: Pick<AgentRecords, 'delete'>;
  boards: BoardRecords;
  gateways: GatewayRecords;
}

/**
 * How often one agent's delete is tried when the gateway calls its refusal temporary: a dropped socket,
 * a timeout, or its own `UNAVAILABLE` (seen on the real gateway under load: the deletion lost its state
 * lease half-way, and only a later `agents.delete` finishes it). The waits between tries, in ms.
 */
export const TEARDOWN_RETRY_WAITS_MS = [1_000, 3_000];

const nameList = (list: { name: string; gateway_agent_id: string }[]) => list.map((a) => `${a.name} (${a.gateway_agent_id})`).join(', ');

export function createTeardown(deps: TeardownDeps) {
  const { db } = deps.ctx;
  const log = deps.ctx.logger.child('teardown');

  const describe = (agent: AgentRow) => ({ id: agent.id, name: agent.name, gateway_agent_id: gatewayAgentKey(agent) });

  function refuse(what: string, gateway: GatewayRow, remaining: AgentRow[], err: GatewayError, done: TeardownAgent[]): AppError {
    const names = nameList(remaining.map(describe));
    return conflict({
      message:
        `${what} was not deleted: its agents could not be deleted on gateway ${gateway.name} (${err.explanation}). ` +
        `Still running there: ${names}.` +
        (done.length > 0 ? ` Already deleted on the gateway (records removed): ${nameList(done)}.` : ''),
      code: 'agents_on_gateway',
      gateway_error: err.code,
      next_step:
        'Retry once the gateway is reachable again, or delete with ?force=true to delete the records and leave these agents ' +
        'running on the gateway (recorded in the activity feed; remove them there with `openclaw agents delete <id> --force`).',
      agents: remaining.map(describe),
    });
  }

  async function removeWithRetries(agent: AgentRow, gateway: GatewayRow): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await deps.provisioner.removeFromGateway(agent.id);
      } catch (err) {
        const wait = TEARDOWN_RETRY_WAITS_MS[attempt];
        if (!(err instanceof GatewayError) || !isTransientGatewayError(err) || wait === undefined) throw err;
        log.warn('teardown.delete_retried', 'the gateway could not delete the agent this time; trying again', {
          agent_id: agent.id,
          gateway_id: gateway.id,
          attempt: attempt + 1,
          gateway_error: err.gatewayCode ?? err.code,
          retry_in_ms: wait,
        });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /**
   * Delete `rows` on their gateway, one by one. Without `force` the first failure stops everything:
   * agents already deleted there lose their records too, the others are kept (and a 409 names them).
   */
  async function removeAll(what: string, gateway: GatewayRow, rows: AgentRow[], force: boolean): Promise<TeardownAgent[]> {
    const results: TeardownAgent[] = [];
    if (rows.length === 0) return results;
    let unreachable: GatewayError | null = null;
    try {
      await deps.manager.ready(gatewayTarget(gateway), undefined, { failFast: true });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (!force) throw refuse(what, gateway, rows, err, []);
      unreachable = err;
    }
    for (const [i, agent] of rows.entries()) {
      if (unreachable) {
        results.push({ ...describe(agent), outcome: 'left_on_gateway', detail: unreachable.explanation });
        continue;
      }
      try {
        // Under the agent's lock, after any provisioning or wake in flight: `deleting` on the event stream
        // while it goes; the wake ladder leaves a deleting agent alone and provisioning refuses it.
        await withAgentLock(agent.id, async () => {
          db.update(agents).set({ status: 'deleting', updatedAt: deps.ctx.now() }).where(eq(agents.id, agent.id)).run();
          await removeWithRetries(agent, gateway);
        });
        results.push({ ...describe(agent), outcome: 'deleted', detail: null });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        if (!force) {
          db.update(agents).set({ status: agent.status, updatedAt: deps.ctx.now() }).where(eq(agents.id, agent.id)).run();
          const done = results.filter((r) => r.outcome === 'deleted');
          for (const gone of done) deps.agents.delete(gone.id);
          throw refuse(what, gateway, rows.slice(i), err, done);
        }
        results.push({ ...describe(agent), outcome: 'left_on_gateway', detail: err.explanation });
      }
    }
    return results;
  }

  /** Agents deleted only as records are said out loud: activity feed (kept after the board) and log. */
  function recordLeftBehind(what: string, gateway: GatewayRow, results: TeardownAgent[]): void {
    const left = results.filter((r) => r.outcome === 'left_on_gateway');
    if (left.length === 0) return;
    const now = deps.ctx.now();
    db.transaction((tx) =>
      recordActivity(tx, now, {
        eventType: 'teardown.agents_left_on_gateway',
        message:
          `${what} deleted with force: ${left.length} agent(s) left running on gateway ${gateway.name} (${gateway.url}), unsupervised: ` +
          `${nameList(left)}. Remove them there: openclaw agents delete <id> --force.`,
      }),
    );
    log.warn('teardown.agents_left_on_gateway', 'agents left running on the gateway (records deleted with force)', {
      gateway_id: gateway.id,
      gateway_agent_ids: left.map((a) => a.gateway_agent_id),
    });
  }

  return {
    /** Delete a board: its agents on the gateway, then the board with everything on it. */
    async deleteBoard(boardId: string, force: boolean): Promise<TeardownAgent[]> {
      const board = deps.boards.getRow(boardId);
      const rows = db.select().from(agents).where(eq(agents.boardId, boardId)).all();
      // A board's agents live on its gateway (a board with agents cannot move to another one).
      const gatewayId = board.gatewayId ?? rows[0]?.gatewayId;
      const gateway = gatewayId ? db.select().from(gateways).where(eq(gateways.id, gatewayId)).get() : undefined;
      const what = `Board ${board.name}`;
      if (!gateway && rows.length > 0) throw notFound('Gateway');
      const results = gateway ? await removeAll(what, gateway, rows, force) : [];
      deps.boards.delete(boardId);
      if (gateway) recordLeftBehind(what, gateway, results);
      return results;
    },

    /** Delete a gateway without boards: its main agent on the gateway, then the records. */
    async deleteGateway(gatewayId: string, force: boolean): Promise<TeardownAgent[]> {
      const gateway = deps.gateways.getRow(gatewayId);
      const boardCount = db.select({ n: count() }).from(boards).where(eq(boards.gatewayId, gatewayId)).get()?.n ?? 0;
      if (boardCount > 0) throw conflict(`Gateway has ${boardCount} board(s); delete or move them first.`);
      const rows = db.select().from(agents).where(eq(agents.gatewayId, gatewayId)).all();
      const what = `Gateway ${gateway.name}`;
      const results = await removeAll(what, gateway, rows, force);
      recordLeftBehind(what, gateway, results);
      deps.gateways.delete(gatewayId);
      return results;
    },
  };
}

export type Teardown = ReturnType<typeof createTeardown>;
