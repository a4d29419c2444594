import { count, desc, eq } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import type { GatewayCreate, GatewayRead, GatewayUpdate } from '../contract/gateways.js';
import { agents, boards, gateways, type GatewayRow } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import { recordActivity } from './activity.js';
import type { AgentService } from './agents.js';
import type { ServiceContext } from './context.js';
import { newId } from './context.js';
import { toGatewayRead } from './serialize.js';
import { pageOf, rowid } from './paging.js';

export function createGatewayService(ctx: ServiceContext, agentService: AgentService) {
  const { db } = ctx;

  const mainAgentId = (gatewayId: string): string | null => agentService.mainAgentOf(gatewayId)?.id ?? null;
  const read = (row: GatewayRow): GatewayRead => toGatewayRead(row, mainAgentId(row.id));

  function getRow(id: string): GatewayRow {
    const row = db.select().from(gateways).where(eq(gateways.id, id)).get();
    if (!row) throw notFound('Gateway');
    return row;
  }

  return {
    getRow,
    list(query: PageQuery) {
      const total = db.select({ n: count() }).from(gateways).get()?.n ?? 0;
      const rows = db
        .select()
        .from(gateways)
        .orderBy(desc(gateways.createdAt), desc(rowid(gateways)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(read), total, query);
    },
    get: (id: string) => read(getRow(id)),

    /** The gateway and its main agent record are written together or not at all. */
    create(input: GatewayCreate): GatewayRead {
      const now = ctx.now();
      const row = db.transaction((tx) => {
        const created = tx
          .insert(gateways)
          .values({
            id: newId(),
            name: input.name,
            url: input.url,
            token: input.token ?? null,
            workspaceRoot: input.workspace_root,
            disableDevicePairing: input.disable_device_pairing,
            allowInsecureTls: input.allow_insecure_tls,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        agentService.ensureMainAgent(created.id, tx);
        recordActivity(tx, now, { eventType: 'gateway.created', message: `Gateway ${created.name} added.` });
        return created;
      });
      return read(row);
    },

    /** Also restores the main agent record if it was deleted (boards need one). */
    update(id: string, patch: GatewayUpdate): GatewayRead {
      getRow(id);
      const row = db.transaction((tx) => {
        const updated = tx
          .update(gateways)
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.url !== undefined && { url: patch.url }),
            ...(patch.token !== undefined && { token: patch.token }),
            ...(patch.workspace_root !== undefined && { workspaceRoot: patch.workspace_root }),
            ...(patch.disable_device_pairing !== undefined && { disableDevicePairing: patch.disable_device_pairing }),
            ...(patch.allow_insecure_tls !== undefined && { allowInsecureTls: patch.allow_insecure_tls }),
            updatedAt: ctx.now(),
          })
          .where(eq(gateways.id, id))
          .returning()
          .get();
        agentService.ensureMainAgent(id, tx);
        return updated;
      });
      return read(row ?? getRow(id));
    },

    /** Refused while boards use the gateway; removes its main agent record (the web edition's semantics). */
    delete(id: string): void {
      const gw = getRow(id);
      const boardCount = db.select({ n: count() }).from(boards).where(eq(boards.gatewayId, id)).get()?.n ?? 0;
      if (boardCount > 0) throw conflict(`Gateway has ${boardCount} board(s); delete or move them first.`);
      const now = ctx.now();
      db.transaction((tx) => {
        tx.delete(agents).where(eq(agents.gatewayId, id)).run();
        tx.delete(gateways).where(eq(gateways.id, id)).run();
        recordActivity(tx, now, { eventType: 'gateway.deleted', message: `Gateway ${gw.name} deleted.` });
      });
    },
  };
}

export type GatewayService = ReturnType<typeof createGatewayService>;
