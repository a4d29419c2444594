import { createHash } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import type {
  RememberedAgentDrift,
  RememberedDriftState,
  RememberedGatewayDrift,
  TemplateDriftResult,
  WorkspaceTokenState,
} from '../contract/templates.js';
import type { Db } from '../db/open-db.js';
import { agents, gateways, templateDriftMemory, type TemplateDriftMemoryRow } from '../db/schema.js';
import { notFound } from '../errors.js';
import type { ServiceContext } from '../core/context.js';

/*
 * Remembered drift (docs/architecture.md, "Remembered drift"). A drift read fetches every agent's files
 * from its gateway: too heavy for a dashboard that re-renders on every live update. So every path that
 * learns an agent's drift leaves what it learned here — the drift read (API, doctor), a template sync
 * (a token that differs), a provisioning that wrote the files — with its time and a fingerprint of what
 * a sync would write then. Reading it back is one query plus a template render per agent, no gateway.
 */

export type DriftSource = TemplateDriftMemoryRow['source'];

export interface DriftKnowledge {
  agentId: string;
  checkedAt: Date;
  source: DriftSource;
  fingerprint: string;
  /** null: not read. */
  token: WorkspaceTokenState | null;
  /** Files a sync would rewrite; null: not read. */
  filesChanged: string[] | null;
  error: string | null;
}

/** The fingerprint of an agent whose templates do not render (its entry says why: `error`). */
export const UNRENDERABLE = 'unrenderable';

/** A hash of what a sync would write (rendered with a placeholder token): it changes with the templates, the agent, its board, the base URL. */
export function templateFingerprint(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) hash.update(`${name}\0${files.get(name)}\0`);
  return hash.digest('hex');
}

/** The fingerprint of what `render` gives (UNRENDERABLE when the templates do not render). */
export function fingerprintOf(render: () => ReadonlyMap<string, string>): string {
  try {
    return templateFingerprint(render());
  } catch {
    return UNRENDERABLE;
  }
}

/** What one agent's drift read found, as the memory keeps it (the agent's own files are not counted). */
export function knowledgeFromRead(agent: TemplateDriftResult['agents'][number], checkedAt: Date, fingerprint: string): DriftKnowledge {
  const read = agent.error === null;
  return {
    agentId: agent.agent_id,
    checkedAt,
    source: 'drift_read',
    fingerprint,
    token: agent.token,
    filesChanged: read
      ? agent.files.filter((f) => !f.preserved && (f.status === 'drifted' || f.status === 'missing')).map((f) => f.name)
      : null,
    error: agent.error,
  };
}

/** Keep what was learned (one transaction; the newest knowledge of an agent replaces the older). */
export function rememberDrift(db: Db, entries: DriftKnowledge[]): void {
  if (entries.length === 0) return;
  db.transaction((tx) => {
    for (const e of entries) {
      const values = {
        checkedAt: e.checkedAt,
        source: e.source,
        fingerprint: e.fingerprint,
        token: e.token,
        filesChanged: e.filesChanged,
        error: e.error,
      };
      tx.insert(templateDriftMemory)
        .values({ agentId: e.agentId, ...values })
        .onConflictDoUpdate({ target: templateDriftMemory.agentId, set: values })
        .run();
    }
  });
}

function stateOf(row: TemplateDriftMemoryRow | undefined, fresh: boolean): RememberedDriftState {
  if (!row) return 'not_checked';
  if (!fresh) return 'stale';
  if (row.error !== null) return 'unreadable';
  if (row.token === 'mismatch' || row.token === 'missing') return 'token_differs';
  if (row.filesChanged && row.filesChanged.length > 0) return 'drifted';
  // In sync only when the files were read (a token-only entry from a sync that skipped the agent differs, above).
  return row.filesChanged === null ? 'not_checked' : 'in_sync';
}

/** A gateway's agents counted by state. */
export function driftCounts(items: Pick<RememberedAgentDrift, 'state'>[]): RememberedGatewayDrift['counts'] {
  const count = (s: RememberedDriftState) => items.filter((i) => i.state === s).length;
  return {
    agents: items.length,
    in_sync: count('in_sync'),
    drifted: count('drifted'),
    token_differs: count('token_differs'),
    unreadable: count('unreadable'),
    stale: count('stale'),
    not_checked: count('not_checked'),
  };
}

const PROBLEMS: RememberedDriftState[] = ['drifted', 'token_differs', 'unreadable'];

export function createDriftMemory(deps: { ctx: ServiceContext; expectedFiles: (agentId: string) => ReadonlyMap<string, string> }) {
  const { db } = deps.ctx;

  /** The fingerprint of what a sync would write for this agent now. */
  const fingerprintNow = (agentId: string) => fingerprintOf(() => deps.expectedFiles(agentId));

  return {
    fingerprintNow,

    /** The latest known drift of every gateway (or one: 404 when it does not exist), agents by creation. */
    status(gatewayId?: string): RememberedGatewayDrift[] {
      const rows = gatewayId
        ? db.select().from(gateways).where(eq(gateways.id, gatewayId)).all()
        : db.select().from(gateways).orderBy(asc(gateways.createdAt)).all();
      if (gatewayId && rows.length === 0) throw notFound('Gateway');
      const ids = rows.map((g) => g.id);
      const all = ids.length
        ? db
            .select()
            .from(agents)
            .where(inArray(agents.gatewayId, ids))
            .orderBy(asc(agents.createdAt))
            .all()
            .filter((a) => a.status !== 'deleting')
        : [];
      const memory = new Map(
        (all.length
          ? db
              .select()
              .from(templateDriftMemory)
              .where(
                inArray(
                  templateDriftMemory.agentId,
                  all.map((a) => a.id),
                ),
              )
              .all()
          : []
        ).map((r) => [r.agentId, r]),
      );
      return rows.map((gateway) => {
        const mine = all.filter((a) => a.gatewayId === gateway.id);
        const items: RememberedAgentDrift[] = mine.map((a) => {
          const row = memory.get(a.id);
          const state = stateOf(row, !!row && fingerprintNow(a.id) === row.fingerprint);
          return {
            agent_id: a.id,
            agent_name: a.name,
            board_id: a.boardId,
            is_main: a.boardId === null,
            state,
            files: row?.filesChanged ?? [],
            token: row?.token ?? null,
            error: row?.error ?? null,
            checked_at: row ? row.checkedAt.toISOString() : null,
            source: row?.source ?? null,
          };
        });
        const counts = driftCounts(items);
        const known = items.filter((i) => i.state !== 'stale' && i.state !== 'not_checked');
        const state: RememberedGatewayDrift['state'] =
          items.length === 0
            ? 'no_agents'
            : items.some((i) => PROBLEMS.includes(i.state))
              ? 'drifted'
              : known.length === items.length
                ? 'in_sync'
                : known.length === 0
                  ? 'not_checked'
                  : 'partly_checked';
        const checkedAt = known.map((i) => i.checked_at!).sort()[0] ?? null;
        return { gateway_id: gateway.id, state, counts, checked_at: checkedAt, agents: items };
      });
    },
  };
}

export type DriftMemory = ReturnType<typeof createDriftMemory>;
