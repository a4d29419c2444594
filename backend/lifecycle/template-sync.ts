import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type {
  TemplateDriftQuery,
  TemplateDriftResult,
  TemplateSyncProgress,
  TemplateSyncQuery,
  TemplateSyncResult,
  WorkspaceTokenState,
} from '../contract/templates.js';
import { agents, gateways, retiredAgentTokens, type AgentRow, type GatewayRow } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { GatewayConnection } from '../gateway/connection.js';
import { GatewayError, gatewayAppError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { recordActivity } from '../services/activity.js';
import type { AgentService } from '../services/agents.js';
import type { ServiceContext } from '../services/context.js';
import { hashAgentToken } from '../services/tokens.js';
import { REDACTED, redactTokens, tokenFromAgentsFile } from '../templates/render.js';
import { fingerprintOf, knowledgeFromRead, rememberDrift, type DriftKnowledge } from './drift-memory.js';
import { createDriftOffload } from './drift-offload.js';
import { fileDriftWith } from './file-drift.js';
import { gatewayAgentKey, readWorkspaceFile } from './gateway-agents.js';
import type { Provisioner } from './provisioner.js';
import type { SyncProgressFeed } from './sync-progress.js';
import { planAgentSync, syncScope, type SyncScopeQuery } from './sync-scope.js';
import { recordLifecycle } from './trail.js';

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

/** Files the reference wrote that the current gateway refuses, and where their content lives now. */
const RELOCATED: Record<string, string> = {
  'TOOLS.md': 'its access lines (BASE_URL, AUTH_TOKEN, …) are in AGENTS.md',
  'HEARTBEAT.md': 'the heartbeat checklist is in the agent’s heartbeat job scratch',
};

const MISSING_TOKEN_MESSAGE = 'Skipping agent: unable to read AUTH_TOKEN from AGENTS.md (run with rotate_tokens=true to re-key).';
const MISMATCH_MESSAGE =
  'AUTH_TOKEN in AGENTS.md does not match the token Mission Control holds (token differs: its check-ins are refused). ' +
  'Not updated; run with rotate_tokens=true to re-key it.';

function errorText(err: unknown): string {
  if (err instanceof GatewayError) return `${err.explanation} (${err.detail})`;
  return err instanceof Error ? err.message : String(err);
}

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

  /** What AGENTS.md holds and whether its token is the agent's (compared by hash; the token never leaves here). */
  async function workspaceToken(conn: GatewayConnection, agent: AgentRow) {
    const read = await readWorkspaceFile(conn, gatewayAgentKey(agent), 'AGENTS.md');
    const token = read.state === 'present' ? tokenFromAgentsFile(read.content) : null;
    const state: WorkspaceTokenState = token === null ? 'missing' : deps.agents.tokenMatches(agent, token) ? 'match' : 'mismatch';
    return { read, token, state };
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
      const workspace = await workspaceToken(conn, agent);
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
      const oldTokenRefused = result.tokenRotated && oldTokensRefused([agent.agentTokenHash, held === null ? null : hashAgentToken(held)]);
      return { entry, error: null, wokeAt: result.wokeAt, oldTokenRefused };
    } catch (err) {
      const message = redactTokens(errorText(err), [held]);
      log.warn('templates.sync.agent_failed', 'template sync of an agent failed', { agent_id: agent.id, error: message });
      return fail(message, 'failed');
    }
  }

  /**
   * Every token the agent used before the rotation is refused now: Mission Control's previous one is
   * retired, and neither it nor the one its workspace held is any agent's current token. Read from
   * the database, so it does not depend on the agent happening to try an old token.
   */
  function oldTokensRefused(hashes: (string | null)[]): boolean {
    const [previous] = hashes;
    if (previous && !db.select().from(retiredAgentTokens).where(eq(retiredAgentTokens.tokenHash, previous)).get()) return false;
    const known = hashes.filter((h): h is string => h !== null);
    return known.length === 0 || !db.select({ id: agents.id }).from(agents).where(inArray(agents.agentTokenHash, known)).get();
  }

  /**
   * Wait (one check-in deadline from each wake, at most VERIFY_MAX_WAIT_MS) for the woken agents to
   * check in.
   */
  async function verify(woken: { entry: SyncAgent; wokeAt: Date; oldTokenRefused: boolean }[]): Promise<void> {
    const pending = new Set(woken);
    const deadlineMs = Math.max(...woken.map((w) => w.wokeAt.getTime())) + verifyWaitMs();
    for (;;) {
      for (const item of pending) {
        const row = db.select({ lastSeenAt: agents.lastSeenAt }).from(agents).where(eq(agents.id, item.entry.agent_id)).get();
        if (row?.lastSeenAt && row.lastSeenAt.getTime() >= item.wokeAt.getTime()) {
          item.entry.verify = { woken: true, checked_in: true, checked_in_at: row.lastSeenAt.toISOString(), old_token_refused: false };
          pending.delete(item);
        }
      }
      if (pending.size === 0 || ctx.now().getTime() >= deadlineMs) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    for (const item of woken) {
      item.entry.verify = {
        ...(item.entry.verify ?? { woken: true, checked_in: false, checked_in_at: null }),
        old_token_refused: item.oldTokenRefused,
      };
    }
  }

  async function syncGateway(gateway: GatewayRow, options: TemplateSyncQuery): Promise<TemplateSyncResult> {
    const startedAt = ctx.now();
    const { targets, main, paused } = select(gateway, options);
    const syncId = randomUUID();
    const entries: SyncAgent[] = [];
    const errors: SyncError[] = [];
    const woken: { entry: SyncAgent; wokeAt: Date; oldTokenRefused: boolean }[] = [];
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
      await verify(woken);
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
      started_at: startedAt.toISOString(),
      finished_at: ctx.now().toISOString(),
    };
    const rotated = entries.filter((e) => e.token_rotated).length;
    const summary =
      `Template sync on ${gateway.name}: ${result.agents_updated} agent(s) updated, ${result.agents_skipped} skipped` +
      `${main ? `, main agent ${result.main_updated ? 'updated' : 'not updated'}` : ''}` +
      `${rotated ? `, ${rotated} token(s) rotated` : ''}, ${errors.length} error(s).`;
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
      const result: TemplateDriftResult = {
        gateway_id: gateway.id,
        checked_at: ctx.now().toISOString(),
        summary: { agents: targets.length, in_sync: 0, drifted: 0, missing: 0, unsupported: 0, token_mismatches: 0 },
        agents: [],
      };
      const learned: DriftKnowledge[] = [];
      for (const agent of targets) {
        const key = gatewayAgentKey(agent);
        const item: TemplateDriftResult['agents'][number] = {
          agent_id: agent.id,
          agent_name: agent.name,
          board_id: agent.boardId,
          gateway_agent_id: key,
          is_main: agent.boardId === null,
          paused: agent.boardId !== null && paused.has(agent.boardId),
          token: null,
          error: null,
          files: [],
        };
        let held: string | null = null;
        try {
          const workspace = await workspaceToken(conn!, agent);
          held = workspace.token;
          item.token = workspace.state;
          // Rendered with a placeholder: comparing never needs the real token (both sides are redacted).
          const expected = provisioner.renderExpected(agent.id, REDACTED);
          for (const [name, content] of expected) {
            const read = name === 'AGENTS.md' ? workspace.read : await readWorkspaceFile(conn!, key, name);
            item.files.push(await fileDriftWith(offload.run, name, read, content, held));
          }
          for (const name of Object.keys(RELOCATED)) {
            const read = await readWorkspaceFile(conn!, key, name);
            if (read.state === 'unsupported')
              item.files.push({
                name,
                status: 'unsupported',
                preserved: false,
                diff: null,
                note: `The gateway refuses ${name} (${redactTokens(read.detail)}); ${RELOCATED[name]}.`,
                too_large: null,
              });
          }
        } catch (err) {
          item.error = redactTokens(errorText(err), [held]);
        }
        if (item.token === 'mismatch' || item.token === 'missing') result.summary.token_mismatches++;
        for (const file of item.files) result.summary[file.status]++;
        result.agents.push(item);
        learned.push(knowledgeFromRead(item, new Date(result.checked_at), fingerprintNow(agent.id)));
      }
      // Every read is remembered (the overview shows it without reading the gateway again).
      rememberDrift(db, learned);
      return result;
    },
  };
}

export type TemplateSync = ReturnType<typeof createTemplateSync>;
