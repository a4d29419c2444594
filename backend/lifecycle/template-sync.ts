import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type {
  TemplateDriftQuery,
  TemplateDriftResult,
  TemplateSyncProgress,
  TemplateSyncQuery,
  TemplateSyncResult,
} from '../contract/templates.js';
import { gateways, type AgentRow, type GatewayRow } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { GatewayConnection } from '../gateway/connection.js';
import { GatewayError, gatewayAppError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { recordActivity } from '../core/activity-log.js';
import type { AgentRecords as AgentService } from '../core/ports.js';
import type { ServiceContext } from '../core/context.js';
import { hashAgentToken } from '../core/tokens.js';
import { REDACTED, redactTokens } from '../templates/render.js';
import { fingerprintOf, rememberDrift } from './drift-memory.js';
import { createDriftOffload } from './drift-offload.js';
import { gatewayAgentKey } from './gateway-agents.js';
import type { Provisioner } from './provisioner.js';
import type { SyncProgressFeed } from './sync-progress.js';
import { planAgentSync, syncScope, type SyncScopeQuery } from './sync-scope.js';
import { oldTokensRefused, verifyCheckIns, type Woken } from './sync-verify.js';
import { previewDrift } from './template-drift.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';
import { errorText, workspaceToken } from './workspace-token.js';

/*
 * Template sync (the web edition's `POST /gateways/{id}/templates/sync` and its script) and the drift
 * preview. For each agent of the gateway the token its workspace really holds is read from AGENTS.md
 * and compared by hash with the one Mission Control holds. A difference is reported, never fixed
 * silently: only `rotate_tokens` mints a new token, writes it, and retires the old one at once.
 * Writing goes through the provisioner (per-agent lock, the ladder's wake bookkeeping), so `verify`
 * wakes through the same path as every other wake and never doubles one.
 */

export interface TemplateSyncDeps {
  ctx: ServiceContext;
  agents: AgentService;
  provisioner: Provisioner;
  manager: GatewayManager;
  progress: SyncProgressFeed;
  /** How often `verify` looks for check-ins. */
  verifyPollMs?: number;
}

/**
 * The longest `verify` waits for check-ins, whatever the check-in deadline: the request must answer
 * well within Node fetch's 300 s headers timeout (the CLI calls the API with fetch).
 */
export const VERIFY_MAX_WAIT_MS = 240_000;

type SyncAgent = TemplateSyncResult['agents'][number];
type SyncError = TemplateSyncResult['errors'][number];

const MISSING_TOKEN_MESSAGE = 'Skipping agent: unable to read AUTH_TOKEN from AGENTS.md (run with rotate_tokens=true to re-key).';
const MISMATCH_MESSAGE =
  'AUTH_TOKEN in AGENTS.md does not match the token Mission Control holds (token differs: its check-ins are refused). ' +
  'Not updated; run with rotate_tokens=true to re-key it.';

const gatewayUnavailable = (err: GatewayError) => gatewayAppError(err, { context: 'Gateway unavailable for template sync' });

export function createTemplateSync(deps: TemplateSyncDeps) {
  const { ctx, provisioner } = deps;
  const { db } = ctx;
  const log = ctx.logger.child('template-sync');
  // Redact + diff of large (agent-written) files runs off the event loop.
  const offload = createDriftOffload({ logger: ctx.logger });
  const pollMs = deps.verifyPollMs ?? 250;
  const verifyWaitMs = () => Math.min(ctx.policy.checkinDeadlineMs, VERIFY_MAX_WAIT_MS);
  /** Gateways with a sync running in this process: one at a time each (two would interleave rotations). */
  const running = new Set<string>();

  function loadGateway(id: string): GatewayRow {
    const gateway = db.select().from(gateways).where(eq(gateways.id, id)).get();
    if (!gateway) throw notFound('Gateway');
    return gateway;
  }

  const select = (gateway: GatewayRow, query: SyncScopeQuery) => syncScope(ctx, deps.agents, gateway, query);

  async function connect(gateway: GatewayRow): Promise<GatewayConnection> {
    try {
      await deps.manager.ready(gatewayTarget(gateway), undefined, { failFast: true });
      return deps.manager.connection(gatewayTarget(gateway));
    } catch (err) {
      if (err instanceof GatewayError) throw gatewayUnavailable(err);
      throw err;
    }
  }

  /** What a sync would write for this agent now, as the remembered drift fingerprints it. */
  const fingerprintNow = (agentId: string) => fingerprintOf(() => provisioner.renderExpected(agentId, REDACTED));

  function baseEntry(agent: AgentRow): SyncAgent {
    return {
      agent_id: agent.id,
      agent_name: agent.name,
      board_id: agent.boardId,
      gateway_agent_id: gatewayAgentKey(agent),
      is_main: agent.boardId === null,
      is_board_lead: agent.isBoardLead,
      outcome: 'skipped',
      reason: null,
      token: null,
      token_rotated: false,
      files_written: [],
      files_kept: [],
      verify: null,
    };
  }

  async function syncAgent(
    conn: GatewayConnection,
    agent: AgentRow,
    options: TemplateSyncQuery,
  ): Promise<{ entry: SyncAgent; error: SyncError | null; wokeAt: Date | null; oldTokenRefused: boolean }> {
    const entry = baseEntry(agent);
    const fail = (message: string, outcome: 'skipped' | 'failed') => {
      entry.outcome = outcome;
      entry.reason = message;
      return {
        entry,
        error: { agent_id: agent.id, agent_name: agent.name, board_id: agent.boardId, message },
        wokeAt: null,
        oldTokenRefused: false,
      };
    };
    let held: string | null = null;
    try {
      const workspace = await workspaceToken(deps.agents, conn, agent);
      held = workspace.token;
      entry.token = workspace.state;
      if (workspace.state !== 'match' && !options.rotate_tokens) {
        const message = workspace.state === 'missing' ? MISSING_TOKEN_MESSAGE : MISMATCH_MESSAGE;
        recordLifecycle(db, log, ctx.now(), 'lifecycle.token.mismatch', agent.id, message, { token: workspace.state }, 'warn');
        // Remembered for the overview: the token differs (its files were not compared).
        rememberDrift(db, [
          {
            agentId: agent.id,
            checkedAt: ctx.now(),
            source: 'sync',
            fingerprint: fingerprintNow(agent.id),
            token: workspace.state,
            filesChanged: null,
            error: null,
          },
        ]);
        return fail(message, 'skipped');
      }
      const result = await provisioner.provision(agent.id, {
        action: 'update',
        wake: options.verify,
        resetSession: options.reset_sessions,
        overwrite: options.overwrite,
        forceBootstrap: options.force_bootstrap,
        rotateToken: options.rotate_tokens,
        // Without rotate_tokens a token that drifted between our read and the write is an error, not a new token.
        keepTokenOnly: true,
        newCycle: true,
      });
      entry.outcome = 'updated';
      entry.token_rotated = result.tokenRotated;
      entry.files_written = result.filesWritten;
      entry.files_kept = result.filesKept;
      const oldTokenRefused = result.tokenRotated && oldTokensRefused(db, [agent.agentTokenHash, held === null ? null : hashAgentToken(held)]);
      return { entry, error: null, wokeAt: result.wokeAt, oldTokenRefused };
    } catch (err) {
      const message = redactTokens(errorText(err), [held]);
      log.warn('templates.sync.agent_failed', 'template sync of an agent failed', { agent_id: agent.id, error: message });
      return fail(message, 'failed');
    }
  }

  async function syncGateway(gateway: GatewayRow, options: TemplateSyncQuery): Promise<TemplateSyncResult> {
    const startedAt = ctx.now();
    const { targets, main, paused } = select(gateway, options);
    const syncId = randomUUID();
    const entries: SyncAgent[] = [];
    const errors: SyncError[] = [];
    const woken: Woken[] = [];
    const total = targets.length;
    const publish = (phase: TemplateSyncProgress['phase'], entry?: SyncAgent) =>
      deps.progress.publish({
        sync_id: syncId,
        gateway_id: gateway.id,
        phase,
        done: entries.length,
        total,
        agent_id: entry?.agent_id ?? null,
        agent_name: entry?.agent_name ?? null,
        outcome: entry?.outcome ?? null,
        errors: errors.length,
      });
    log.info('templates.sync.started', 'template sync started', {
      gateway_id: gateway.id,
      agents: total,
      rotate_tokens: options.rotate_tokens,
      overwrite: options.overwrite,
      verify: options.verify,
    });
    publish('started');

    const plans = targets.map((agent) => ({ agent, plan: planAgentSync(agent, paused, options) }));
    // Connect only when there is something to do (a sync of paused boards without rotate_tokens needs no gateway).
    const conn = plans.some((p) => p.plan.kind === 'sync') ? await connect(gateway) : null;
    for (const { agent, plan } of plans) {
      let entry: SyncAgent;
      if (plan.kind === 'skip') {
        entry = { ...baseEntry(agent), reason: plan.reason };
      } else {
        const done = await syncAgent(conn!, agent, plan.options);
        entry = done.entry;
        if (plan.note && !done.error) entry.reason = plan.note;
        if (done.error) errors.push(done.error);
        if (done.wokeAt) woken.push({ entry, wokeAt: done.wokeAt, oldTokenRefused: done.oldTokenRefused });
      }
      entries.push(entry);
      publish('agent', entry);
    }
    if (options.verify && woken.length > 0) {
      publish('verifying');
      await verifyCheckIns(ctx, woken, { waitMs: verifyWaitMs(), pollMs });
      for (const { entry } of woken) {
        if (entry.verify?.checked_in) continue;
        errors.push({
          agent_id: entry.agent_id,
          agent_name: entry.agent_name,
          board_id: entry.board_id,
          message: `Not verified: no check-in within ${verifyWaitMs() / 1000} s of the wake (the check-in ladder keeps waking it).`,
        });
      }
    }

    const { result, summary, rotated } = syncResult(gateway, options, { entries, errors, hasMain: main !== undefined, paused, startedAt, finishedAt: ctx.now() });
    recordActivity(db, ctx.now(), { eventType: 'gateway.templates.synced', message: summary });
    log.info('templates.sync.finished', summary, { gateway_id: gateway.id, errors: errors.length, rotated });
    publish('finished');
    return result;
  }

  return {
    progress: deps.progress,

    async sync(gatewayId: string, options: TemplateSyncQuery): Promise<TemplateSyncResult> {
      const gateway = loadGateway(gatewayId);
      if (running.has(gateway.id))
        throw conflict({
          message: `A template sync of gateway ${gateway.name} is already running; wait for its result (progress: event template_sync on /api/v1/events), then run again if needed.`,
          code: 'template_sync_running',
        });
      running.add(gateway.id);
      try {
        return await syncGateway(gateway, options);
      } finally {
        running.delete(gateway.id);
      }
    },
    async drift(gatewayId: string, query: TemplateDriftQuery): Promise<TemplateDriftResult> {
      const gateway = loadGateway(gatewayId);
      const { targets, paused } = select(gateway, query);
      const conn = targets.length > 0 ? await connect(gateway) : null;
      return previewDrift({ ctx, agents: deps.agents, provisioner, offload, fingerprintNow }, gateway.id, conn, targets, paused);
    },
  };
}

/** The sync's answer and its one-line summary (activity log, log line). */
function syncResult(
  gateway: GatewayRow,
  options: TemplateSyncQuery,
  run: { entries: SyncAgent[]; errors: SyncError[]; hasMain: boolean; paused: Set<string>; startedAt: Date; finishedAt: Date },
): { result: TemplateSyncResult; summary: string; rotated: number } {
  const { entries, errors, paused } = run;
  const board = entries.filter((e) => !e.is_main);
  const result: TemplateSyncResult = {
    gateway_id: gateway.id,
    include_main: options.include_main,
    reset_sessions: options.reset_sessions,
    agents_updated: board.filter((e) => e.outcome === 'updated').length,
    agents_skipped: board.filter((e) => e.outcome === 'skipped').length,
    main_updated: entries.some((e) => e.is_main && e.outcome === 'updated'),
    errors,
    rotate_tokens: options.rotate_tokens,
    overwrite: options.overwrite,
    verify: options.verify,
    paused_board_ids: [...paused],
    token_mismatches: entries.filter((e) => e.token === 'mismatch' || e.token === 'missing').length,
    agents: entries,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt.toISOString(),
  };
  const rotated = entries.filter((e) => e.token_rotated).length;
  const summary =
    `Template sync on ${gateway.name}: ${result.agents_updated} agent(s) updated, ${result.agents_skipped} skipped` +
    `${run.hasMain ? `, main agent ${result.main_updated ? 'updated' : 'not updated'}` : ''}` +
    `${rotated ? `, ${rotated} token(s) rotated` : ''}, ${errors.length} error(s).`;
  return { result, summary, rotated };
}

export type TemplateSync = ReturnType<typeof createTemplateSync>;
