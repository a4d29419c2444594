import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import type { GatewayCreate, GatewayLiveStatus, GatewayRead, GatewayUpdate } from '../contract/gateways.js';
import { boards, gateways, agents, type GatewayRow } from '../db/schema.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { GatewayHello } from '../gateway/connection.js';
import { discoverLocalGateway } from '../gateway/discovery.js';
import { GatewayError, gatewayAppError, type PeerCertificateInfo } from '../gateway/errors.js';
import { sameGatewayEndpoint } from '../gateway/endpoint.js';
import { normalizeFingerprint } from '../gateway/tls.js';
import { gatewayTarget, type GatewayManager, type GatewayStateStore } from '../gateway/manager.js';
import { recordActivity } from '../core/activity-log.js';
import type { AgentService } from './agents.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { pageOf, rowid } from '../core/paging.js';
import { toGatewayRead } from './serialize.js';

/** A failed gateway check as an API error, with the web edition's wording for the check. */
const checkAppError = (err: GatewayError) => gatewayAppError(err, { context: 'Gateway compatibility check failed', compatibility: true });

/** A pin as stored (`AB:CD:…`), or none. */
const pinOf = (value: string | null | undefined): string | null => (value ? normalizeFingerprint(value) : null);

/** Trust on first use: an "allow insecure" gateway is pinned to the certificate its check connection accepted. */
const firstUsePin = (allowInsecureTls: boolean, hello: GatewayHello | null): string | null =>
  allowInsecureTls && hello?.tlsFingerprint ? normalizeFingerprint(hello.tlsFingerprint) : null;

const failureJson = (err: GatewayError, at: Date) => ({
  code: err.code,
  message: err.explanation,
  next_step: err.nextStep,
  detail: err.detail,
  ...(err.code === 'tls' && err.details?.certificate ? { certificate: err.details.certificate as PeerCertificateInfo } : {}),
  at: at.toISOString(),
});

/** What the connection manager learns about a gateway is written back to its row. */
export function createGatewayStateStore(ctx: ServiceContext): GatewayStateStore {
  const { db } = ctx;
  return {
    saveDeviceToken: (id, token) => {
      db.update(gateways).set({ deviceToken: token }).where(eq(gateways.id, id)).run();
    },
    saveHello: (id, hello) => {
      db.update(gateways)
        .set({
          serverVersion: hello.version,
          protocolVersion: hello.protocol,
          features: { methods: hello.methods, events: hello.events, capabilities: hello.capabilities },
          lastConnectedAt: hello.connectedAt,
          lastError: null,
        })
        .where(eq(gateways.id, id))
        .run();
    },
    saveFirstUsePin: (id, fingerprint) => {
      const pin = normalizeFingerprint(fingerprint);
      const now = ctx.now();
      db.transaction((tx) => {
        // Only a gateway still without a pin: a reconnect, or a pin the user set meanwhile, changes nothing.
        const row = tx
          .update(gateways)
          .set({ tlsFingerprint: pin, updatedAt: now })
          .where(and(eq(gateways.id, id), eq(gateways.allowInsecureTls, true), isNull(gateways.tlsFingerprint)))
          .returning({ name: gateways.name })
          .get();
        if (!row) return;
        recordActivity(tx, now, {
          eventType: 'gateway.certificate_pinned',
          message: `Gateway ${row.name}: TLS certificate SHA-256 ${pin} pinned on first use; a different certificate will be refused.`,
        });
      });
    },
    saveError: (id, error) => {
      db.update(gateways)
        .set({ lastError: failureJson(error, ctx.now()) })
        .where(eq(gateways.id, id))
        .run();
    },
  };
}

export interface GatewayServiceDeps {
  agents: AgentService;
  manager: GatewayManager;
  /** Environment for auto-detection (tests point it at a throwaway HOME). */
  env: NodeJS.ProcessEnv;
}

export function createGatewayService(ctx: ServiceContext, deps: GatewayServiceDeps) {
  const { db } = ctx;
  const { manager } = deps;

  const read = (row: GatewayRow): GatewayRead =>
    toGatewayRead(row, deps.agents.mainAgentOf(row.id)?.id ?? null, manager.status(row.id).state);

  function getRow(id: string): GatewayRow {
    const row = db.select().from(gateways).where(eq(gateways.id, id)).get();
    if (!row) throw notFound('Gateway');
    return row;
  }

  const targetOf = gatewayTarget;

  /** The local gateway's token, only for a URL naming that gateway (its host and port). */
  function discoveredToken(url: string): string {
    const found = discoverLocalGateway(deps.env);
    if (!found.token || !found.url)
      throw new AppError('validation_failed', {
        message: 'No local gateway token was found to use.',
        loc: ['body', 'use_discovered_token'],
      });
    if (!sameGatewayEndpoint(url, found.url))
      throw new AppError('validation_failed', {
        message: `The discovered token belongs to the gateway at ${found.url} and is sent only there; enter this gateway's own token instead.`,
        loc: ['body', 'use_discovered_token'],
      });
    return found.token;
  }

  /** Connect once and check compatibility; `allowOffline` tolerates only what a retry can fix. */
  async function check(
    target: { url: string; token: string | null; allowInsecureTls: boolean; tlsFingerprint: string | null },
    allowOffline: boolean,
  ): Promise<{ hello: GatewayHello | null; offline: GatewayError | null }> {
    try {
      return { hello: await manager.probe(target), offline: null };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (allowOffline && err.retryable && err.code !== 'pairing_required') return { hello: null, offline: err };
      throw checkAppError(err);
    }
  }

  function liveStatus(gatewayId: string | null, hello: GatewayHello | null, state: string, error: GatewayError | null): GatewayLiveStatus {
    return {
      ok: hello !== null && error === null,
      gateway_id: gatewayId,
      state,
      server_version: hello?.version ?? null,
      protocol_version: hello?.protocol ?? null,
      methods: hello?.methods ?? [],
      events: hello?.events ?? [],
      capabilities: hello?.capabilities ?? [],
      scopes: hello?.scopes ?? [],
      auth_method: hello?.authMethod ?? null,
      error: error ? failureJson(error, ctx.now()) : null,
    };
  }

  return {
    getRow,
    targetOf,

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

    /** Open (or keep) the connections of every saved gateway, e.g. at start. */
    connectAll(): void {
      for (const row of db.select().from(gateways).all()) manager.connection(targetOf(row));
    },

    /**
     * Check the gateway first (web-edition semantics), then save it with its main agent record in
     * one transaction and keep a connection open to it.
     */
    async create(input: GatewayCreate): Promise<GatewayRead> {
      const token = input.use_discovered_token ? discoveredToken(input.url) : (input.token ?? null);
      const pinned = pinOf(input.tls_fingerprint);
      const { hello, offline } = await check(
        { url: input.url, token, allowInsecureTls: input.allow_insecure_tls, tlsFingerprint: pinned },
        input.allow_offline,
      );
      const tlsFingerprint = pinned ?? firstUsePin(input.allow_insecure_tls, hello);
      const now = ctx.now();
      const row = db.transaction((tx) => {
        const created = tx
          .insert(gateways)
          .values({
            id: newId(),
            name: input.name,
            url: input.url,
            token: manager.credentials.seal(token),
            workspaceRoot: input.workspace_root,
            disableDevicePairing: input.disable_device_pairing,
            allowInsecureTls: input.allow_insecure_tls,
            tlsFingerprint,
            lastError: offline ? failureJson(offline, now) : null,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        deps.agents.ensureMainAgent(created.id, tx);
        recordActivity(tx, now, { eventType: 'gateway.created', message: `Gateway ${created.name} added.` });
        return created;
      });
      manager.connection(targetOf(row));
      return read(row);
    },

    /** Re-checks only when the connection settings change; also restores a deleted main agent record. */
    async update(id: string, patch: GatewayUpdate): Promise<GatewayRead> {
      const current = getRow(id);
      const newHost = patch.url !== undefined && !sameGatewayEndpoint(patch.url, current.url);
      // Credentials belong to the host they were given for: another host needs its token entered again.
      if (newHost && current.token !== null && patch.token === undefined)
        throw new AppError('validation_failed', {
          message:
            'The new URL is another gateway (host or port); its token is not sent there. Give token again (or null to connect without one).',
          loc: ['body', 'token'],
        });
      // Compared and re-checked as plain text. A stored token that cannot be opened can only be replaced:
      // a change that needs a connection check with it asks for the token again (409).
      const currentToken = manager.credentials.tryOpen(current.token);
      const next = {
        url: patch.url ?? current.url,
        token: patch.token !== undefined ? patch.token : currentToken.value,
        allowInsecureTls: patch.allow_insecure_tls ?? current.allowInsecureTls,
        // A pin is for the old host's certificate: another host starts without one (or with the one given).
        tlsFingerprint: patch.tls_fingerprint !== undefined ? pinOf(patch.tls_fingerprint) : newHost ? null : current.tlsFingerprint,
        // The device token was issued by the old host: never offered to the new one.
        deviceToken: newHost ? null : manager.credentials.tryOpen(current.deviceToken).value,
      };
      const changed =
        next.url !== current.url ||
        next.token !== currentToken.value ||
        next.allowInsecureTls !== current.allowInsecureTls ||
        next.tlsFingerprint !== current.tlsFingerprint;
      if (changed && patch.token === undefined && currentToken.unreadable) throw checkAppError(currentToken.unreadable);
      const probed = changed ? await check(next, patch.allow_offline) : null;
      const tlsFingerprint = next.tlsFingerprint ?? firstUsePin(next.allowInsecureTls, probed?.hello ?? null);
      const row = db.transaction((tx) => {
        const updated = tx
          .update(gateways)
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.url !== undefined && { url: patch.url }),
            ...(patch.token !== undefined && { token: manager.credentials.seal(patch.token) }),
            ...(patch.workspace_root !== undefined && { workspaceRoot: patch.workspace_root }),
            ...(patch.disable_device_pairing !== undefined && { disableDevicePairing: patch.disable_device_pairing }),
            ...(patch.allow_insecure_tls !== undefined && { allowInsecureTls: patch.allow_insecure_tls }),
            ...((newHost || tlsFingerprint !== current.tlsFingerprint) && { tlsFingerprint }),
            ...(newHost && { deviceToken: null }),
            ...(changed && { lastError: null }),
            updatedAt: ctx.now(),
          })
          .where(eq(gateways.id, id))
          .returning()
          .get();
        deps.agents.ensureMainAgent(id, tx);
        return updated;
      });
      const saved = row ?? getRow(id);
      manager.connection(targetOf(saved));
      return read(saved);
    },

    /**
     * Trust exactly this certificate for the gateway (the doctor's fix, after the user compared it):
     * saved with an activity record, and the connection reopened with the pin. Not checked first: the
     * caller re-checks the connection, and a pin that does not match says so.
     */
    pinCertificate(id: string, fingerprint: string): string {
      const gw = getRow(id);
      const pin = normalizeFingerprint(fingerprint);
      const now = ctx.now();
      db.transaction((tx) => {
        tx.update(gateways).set({ tlsFingerprint: pin, lastError: null, updatedAt: now }).where(eq(gateways.id, id)).run();
        recordActivity(tx, now, {
          eventType: 'gateway.certificate_pinned',
          message: `Gateway ${gw.name}: TLS certificate SHA-256 ${pin} trusted.`,
        });
      });
      manager.connection(targetOf(getRow(id)));
      return pin;
    },

    /**
     * Refused while boards use the gateway; removes its main agent record (the web edition's semantics).
     * The records only: `teardown.deleteGateway` deletes the agents on the gateway first.
     */
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
      manager.forget(id);
    },

    /** Live status of a saved gateway, waiting briefly for a connection in progress. */
    async status(id: string, waitMs = 5_000): Promise<GatewayLiveStatus> {
      const row = getRow(id);
      const connection = manager.connection(targetOf(row));
      try {
        const hello = await manager.ready(targetOf(row), waitMs);
        return liveStatus(id, hello, connection.state, null);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return liveStatus(id, connection.hello, connection.state, err);
      }
    },

    /** Test settings that are not saved yet. Always answers 200: the test ran; `ok` says how it went. */
    async test(input: {
      url: string;
      token?: string | null | undefined;
      allow_insecure_tls: boolean;
      tls_fingerprint?: string | null | undefined;
      use_discovered_token: boolean;
    }): Promise<GatewayLiveStatus> {
      const token = input.use_discovered_token ? discoveredToken(input.url) : (input.token ?? null);
      try {
        const hello = await manager.probe({
          url: input.url,
          token,
          allowInsecureTls: input.allow_insecure_tls,
          tlsFingerprint: pinOf(input.tls_fingerprint),
        });
        return liveStatus(null, hello, 'connected', null);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return liveStatus(null, null, 'failed', err);
      }
    },

    /** The gateway configured on this machine, if any — offered to the user, never added silently. */
    discover() {
      const found = discoverLocalGateway(deps.env);
      const existing = found.url ? db.select({ id: gateways.id }).from(gateways).where(eq(gateways.url, found.url)).get() : undefined;
      return {
        found: found.found,
        config_path: found.configPath,
        url: found.url,
        has_token: found.token !== null,
        already_added_gateway_id: existing?.id ?? null,
        problem: found.problem,
      };
    },
  };
}

export type GatewayService = ReturnType<typeof createGatewayService>;
