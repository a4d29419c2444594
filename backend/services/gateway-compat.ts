import { asc, eq } from 'drizzle-orm';
import type { CompatGatewayStatus, CompatSession } from '../contract/compat.js';
import { agents, gateways } from '../db/schema.js';
import { AppError } from '../errors.js';
import { call } from '../gateway/call.js';
import { GatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import type { BoardService } from './boards.js';
import type { ServiceContext } from '../core/context.js';
import type { GatewayService } from './gateways.js';

/*
 * The seed guide's gateway commands (`GET /api/v1/gateway/status`, `/gateway/sessions`) and the web
 * edition's `/gateways/sessions`: which gateway is meant, its live status in the web edition's shape with
 * `version`, and its sessions as the gateway lists them (`sessions.list`), labelled with the Mission
 * Control agent each belongs to. Every refusal names the desktop route to use instead.
 */

export interface GatewayPick {
  gateway_id?: string | undefined;
  board_id?: string | undefined;
}

const SESSIONS_LIMIT = 500;
const SESSIONS_TIMEOUT_MS = 10_000;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const iso = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : typeof v === 'string' ? v : null;

export function createGatewayCompat(
  ctx: ServiceContext,
  deps: { gateways: GatewayService; boards: BoardService; manager: GatewayManager },
) {
  const { db } = ctx;

  /** The gateway a seed command means: named, the board's, or the only one there is. */
  function pick(query: GatewayPick, equivalent: string): string {
    if (query.gateway_id) return deps.gateways.getRow(query.gateway_id).id;
    if (query.board_id) {
      const gatewayId = deps.boards.getRow(query.board_id).gatewayId;
      if (!gatewayId) throw new AppError('not_found', { message: 'This board has no gateway.', desktop_equivalent: equivalent });
      return gatewayId;
    }
    const all = db.select({ id: gateways.id, name: gateways.name }).from(gateways).orderBy(asc(gateways.createdAt)).all();
    if (all.length === 1) return all[0]!.id;
    if (all.length === 0)
      throw new AppError('not_found', {
        message: 'No gateway has been added yet: add one in the app (Gateways) or with POST /api/v1/gateways.',
        desktop_equivalent: 'POST /api/v1/gateways',
      });
    throw new AppError('validation_failed', {
      message: `${all.length} gateways are added: name one with ?gateway_id=<id> (or ?board_id=<id>).`,
      desktop_equivalent: equivalent,
      gateways: all,
    });
  }

  function agentsBySessionKey(gatewayId: string) {
    const rows = db
      .select({ id: agents.id, name: agents.name, key: agents.openclawSessionId, boardId: agents.boardId })
      .from(agents)
      .where(eq(agents.gatewayId, gatewayId))
      .all();
    return new Map(rows.filter((r) => r.key !== null).map((r) => [r.key!, r]));
  }

  async function listSessions(gatewayId: string): Promise<{ sessions: CompatSession[]; main: CompatSession | null; count: number }> {
    const conn = deps.manager.connection(gatewayTarget(deps.gateways.getRow(gatewayId)));
    const res = await call(
      conn,
      'sessions.list',
      { limit: SESSIONS_LIMIT },
      { timeoutMs: SESSIONS_TIMEOUT_MS },
    );
    const ours = agentsBySessionKey(gatewayId);
    const mainKey = [...ours.values()].find((a) => a.boardId === null)?.key ?? null;
    const sessions = res.sessions
      .filter((s) => typeof s.key === 'string')
      .map((s): CompatSession => {
        const agent = ours.get(s.key as string);
        return {
          key: s.key as string,
          label: str(s.label) ?? str(s.displayName) ?? agent?.name ?? null,
          agent_id: agent?.id ?? null,
          agent_name: agent?.name ?? null,
          gateway_agent_id: str(s.agentId),
          kind: str(s.kind),
          is_main: typeof s.isMain === 'boolean' ? s.isMain : null,
          updated_at: iso(s.updatedAt),
          last_interaction_at: iso(s.lastInteractionAt),
        };
      });
    const count = typeof res.totalCount === 'number' ? res.totalCount : typeof res.count === 'number' ? res.count : sessions.length;
    return { sessions, main: sessions.find((s) => s.key === mainKey) ?? null, count };
  }

  /** The sessions, or a 502 that says why the gateway could not be asked. */
  async function sessionsOrRefuse(gatewayId: string) {
    const refuse = (why: string) =>
      new AppError('gateway_error', { message: why, desktop_equivalent: `GET /api/v1/gateways/${gatewayId}/status` });
    const live = await deps.gateways.status(gatewayId);
    if (!live.ok) throw refuse(`The gateway is not connected: ${live.error?.message ?? live.state}.`);
    try {
      return await listSessions(gatewayId);
    } catch (err) {
      if (err instanceof GatewayError) throw refuse(`The gateway did not list its sessions: ${err.message}`);
      throw err;
    }
  }

  return {
    async status(query: GatewayPick): Promise<CompatGatewayStatus> {
      const gatewayId = pick(query, 'GET /api/v1/gateways/{gateway_id}/status');
      const row = deps.gateways.getRow(gatewayId);
      const live = await deps.gateways.status(gatewayId);
      const base = {
        gateway_url: row.url,
        gateway_id: gatewayId,
        version: live.server_version ?? row.serverVersion ?? null,
        protocol_version: live.protocol_version ?? row.protocolVersion ?? null,
        desktop_equivalent: `GET /api/v1/gateways/${gatewayId}/status`,
      };
      if (!live.ok)
        return {
          ...base,
          connected: false,
          sessions_count: null,
          sessions: null,
          main_session: null,
          main_session_error: null,
          error: live.error ? `${live.error.message} — ${live.error.next_step}` : live.state,
        };
      try {
        const { sessions, main, count } = await listSessions(gatewayId);
        return {
          ...base,
          connected: true,
          sessions_count: count,
          sessions,
          main_session: main,
          main_session_error: main ? null : 'The main agent has no session on the gateway yet.',
          error: null,
        };
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return {
          ...base,
          connected: true,
          sessions_count: null,
          sessions: null,
          main_session: null,
          main_session_error: `sessions.list failed: ${(err as Error).message}`,
          error: null,
        };
      }
    },

    /** The seed's form: a plain array. */
    async sessionList(query: GatewayPick): Promise<CompatSession[]> {
      return (await sessionsOrRefuse(pick(query, 'GET /api/v1/gateways/sessions?gateway_id=<id>'))).sessions;
    },

    /** The web edition's form: `{sessions, main_session}`. */
    async sessions(query: GatewayPick) {
      const { sessions, main } = await sessionsOrRefuse(pick(query, 'GET /api/v1/gateways/sessions?gateway_id=<id>'));
      return { sessions, main_session: main };
    },
  };
}

export type GatewayCompat = ReturnType<typeof createGatewayCompat>;
