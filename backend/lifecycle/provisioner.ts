import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { agents, boards, gateways, type AgentRow, type BoardRow, type GatewayRow } from '../db/schema.js';
import type { GatewayConnection, GatewayHello } from '../gateway/connection.js';
import { GatewayError } from '../gateway/errors.js';
import { call } from '../gateway/call.js';
import type { GatewayParams } from '../gateway/methods.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { conflict } from '../errors.js';
import { recordActivity } from '../services/activity.js';
import { recordLifecycle } from './trail.js';
import { withAgentLock } from './agent-lock.js';
import { armWake, boundedBy } from './ladder.js';
import { rememberDrift, templateFingerprint } from './drift-memory.js';
import { allowCheckin, checkinExecPolicy } from './exec-policy.js';
import type { AgentService } from '../services/agents.js';
import type { ServiceContext } from '../services/context.js';
import { generateAgentToken } from '../services/tokens.js';
import {
  PRESERVED_FILES,
  REDACTED,
  renderTemplate,
  renderWorkspace,
  tokenFromAgentsFile,
  type AgentRole,
  type TemplateContext,
  type WorkspaceFile,
} from '../templates/render.js';
import {
  configHeartbeatPatch,
  findHeartbeatJob,
  gatewayAgentKey,
  isAlreadyExists,
  isMissing,
  readWorkspaceFile,
  waitForAgent,
} from './gateway-agents.js';

/*
 * Provisioning an agent on its gateway: create the gateway agent (idempotent), write the rendered
 * workspace files, put the heartbeat checklist in the heartbeat job's scratch, align the heartbeat
 * cadence, and wake it. Every step can run again safely. Methods are chosen by what the gateway
 * advertises (hello-ok.features.methods), never guessed.
 */

export type ProvisionAction = 'provision' | 'update';

export interface ProvisionOptions {
  action: ProvisionAction;
  wake: boolean;
  resetSession?: boolean;
  /** Replace USER.md / MEMORY.md even if the agent has them. */
  overwrite?: boolean;
  forceBootstrap?: boolean;
  /** Mint a new token even if the workspace holds a valid one. */
  rotateToken?: boolean;
  /**
   * Never mint: fail (TokenMismatchError) when the workspace does not hold the agent's valid token.
   * Template sync without rotate_tokens reports a drifted token instead of fixing it silently.
   */
  keepTokenOnly?: boolean;
  /** A new check-in cycle (the ladder starts again at 1); supervisor retries continue theirs. Default true. */
  newCycle?: boolean;
  /** The ladder already counted this wake when it started (a supervisor step): not counted again here. */
  armed?: boolean;
  /** No gateway request of this run outlives it (the ladder step's deadline). */
  deadlineAt?: Date;
}

export interface ProvisionResult {
  agentId: string;
  gatewayAgentId: string;
  filesWritten: WorkspaceFile[];
  filesKept: WorkspaceFile[];
  tokenRotated: boolean;
  woke: 'wake' | 'chat.send' | null;
  /** When the wake was sent (a check-in after it answers the wake). */
  wokeAt: Date | null;
}

/** The workspace does not hold the agent's current token and the caller asked not to mint one. */
export class TokenMismatchError extends Error {
  override name = 'TokenMismatchError';
}

export interface ProvisionerDeps {
  ctx: ServiceContext;
  agents: AgentService;
  manager: GatewayManager;
  baseUrl: string;
}

const DEFAULT_WORKSPACE_ROOT = '~/.openclaw';
/** How an exec-policy warning on an agent record starts (so a fix can clear exactly it). */
export const EXEC_POLICY_PREFIX = 'Check-ins will be refused by the gateway:';

export function createProvisioner(deps: ProvisionerDeps) {
  const { ctx } = deps;
  const { db } = ctx;
  const log = ctx.logger.child('provisioner');

  function load(agentId: string): { agent: AgentRow; gateway: GatewayRow; board: BoardRow | null } {
    const agent = deps.agents.getRow(agentId);
    const gateway = db.select().from(gateways).where(eq(gateways.id, agent.gatewayId)).get();
    if (!gateway) throw new Error(`agent ${agentId} has no gateway`);
    const board = agent.boardId ? (db.select().from(boards).where(eq(boards.id, agent.boardId)).get() ?? null) : null;
    return { agent, gateway, board };
  }

  const target = gatewayTarget;
  const roleOf = (agent: AgentRow): AgentRole => (agent.boardId === null ? 'main' : agent.isBoardLead ? 'lead' : 'worker');

  function templateContext(agent: AgentRow, board: BoardRow | null, token: string): TemplateContext {
    const yes = (v: boolean) => (v ? 'yes' : 'no');
    const profile = agent.identityProfile ?? {};
    return {
      agent_name: agent.name,
      agent_id: agent.id,
      board_id: board?.id ?? '',
      board_name: board?.name ?? '',
      board_objective: board?.objective ?? board?.description ?? '',
      role: roleOf(agent),
      base_url: deps.baseUrl,
      auth_token: token,
      session_key: agent.openclawSessionId ?? '',
      checkin_deadline_seconds: Math.round(ctx.policy.checkinDeadlineMs / 1000),
      max_wake_attempts: ctx.policy.maxWakeAttempts,
      user_name: 'the local user',
      identity: {
        role: profile.role ?? 'Generalist',
        communication_style: profile.communication_style ?? 'direct, concise, practical',
        emoji: profile.emoji ?? ':gear:',
      },
      rules: {
        require_approval_for_done: yes(board?.requireApprovalForDone ?? false),
        require_review_before_done: yes(board?.requireReviewBeforeDone ?? false),
        comment_required_for_review: yes(board?.commentRequiredForReview ?? false),
        max_agents: board?.maxAgents ?? 0,
      },
    };
  }

  /** What an update writes (no BOOTSTRAP.md): what the drift read compares with and the remembered drift fingerprints. */
  const expectedFiles = (agent: AgentRow, context: TemplateContext) =>
    renderWorkspace(context, { bootstrap: false, soulTemplate: agent.soulTemplate, identityTemplate: agent.identityTemplate });

  /** The token the workspace should hold: the one it holds if still valid, else a fresh one. */
  async function chooseToken(
    conn: GatewayConnection,
    agent: AgentRow,
    key: string,
    rotate: boolean,
    keepOnly = false,
  ): Promise<{ token: string; rotated: boolean }> {
    if (!rotate && agent.agentTokenHash) {
      const held = await readFile(conn, key, 'AGENTS.md');
      const token = held ? tokenFromAgentsFile(held) : null;
      // Retries and updates keep the agent's token: rotating on every retry caused drift in the web edition.
      if (token && deps.agents.tokenMatches(agent, token)) return { token, rotated: false };
    }
    if (keepOnly && !rotate)
      throw new TokenMismatchError('its workspace does not hold the token Mission Control has for it (token differs); not re-keyed');
    return { token: generateAgentToken(), rotated: true };
  }

  /**
   * After a failed AGENTS.md write with a freshly minted token: if the workspace holds that token
   * anyway, switch Mission Control to it. If even the read fails the outcome is unknown; the next
   * template sync reports the token as differing and `rotate_tokens` re-keys it.
   */
  async function adoptIfWritten(conn: GatewayConnection, agentId: string, key: string, token: string): Promise<void> {
    try {
      const held = await readFile(conn, key, 'AGENTS.md');
      if (held !== null && tokenFromAgentsFile(held) === token) {
        deps.agents.setToken(agentId, token);
        log.warn('lifecycle.provision.note', 'the AGENTS.md write failed but the gateway applied it: the new token is in use', {
          gateway_agent_id: key,
        });
      }
    } catch (err) {
      log.warn('lifecycle.provision.note', 'could not read AGENTS.md back after a failed write; the token state is unknown', {
        gateway_agent_id: key,
        error: (err as Error).message,
      });
    }
  }

  async function readFile(conn: GatewayConnection, key: string, name: string): Promise<string | null> {
    const read = await readWorkspaceFile(conn, key, name);
    return read.state === 'present' ? read.content : null;
  }

  async function ensureGatewayAgent(conn: GatewayConnection, gateway: GatewayRow, key: string, displayName: string): Promise<void> {
    const params: GatewayParams<'agents.create'> = { name: key };
    if (gateway.workspaceRoot !== DEFAULT_WORKSPACE_ROOT)
      params.workspace = `${gateway.workspaceRoot.replace(/\/+$/, '')}/workspace-${key}`;
    try {
      await call(conn, 'agents.create', params);
    } catch (err) {
      if (!(err instanceof GatewayError && isAlreadyExists(err))) throw err;
    }
    // The gateway applies agents.create through a config hot reload (~0.5–0.8 s later).
    await waitForAgent(conn, key);
    await call(conn, 'agents.update', { agentId: key, name: displayName });
  }

  async function writeHeartbeatScratch(conn: GatewayConnection, hello: GatewayHello, key: string, content: string): Promise<void> {
    if (!hello.methods.includes('cron.list') || !hello.methods.includes('cron.scratch.set')) return;
    const job = await findHeartbeatJob(conn, key);
    if (!job) {
      log.warn('lifecycle.provision.note', 'no heartbeat job found for the agent; scratch not written', { gateway_agent_id: key });
      return;
    }
    await call(conn, 'cron.scratch.set', { id: job.id, content });
  }

  async function alignHeartbeat(conn: GatewayConnection, key: string, every: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await call(conn, 'config.get', {});
      const patch = configHeartbeatPatch(current.parsed ?? current.config, key, every);
      if (!patch) return; // nothing changed: no write, no reload
      try {
        await call(conn, 'config.patch', { raw: patch, baseHash: current.hash });
        return;
      } catch (err) {
        // Compare-and-swap lost against another writer: read again and retry.
        if (!(err instanceof GatewayError && /changed since/i.test(err.detail))) throw err;
      }
    }
  }

  async function wake(
    conn: GatewayConnection,
    hello: GatewayHello,
    agent: AgentRow,
    key: string,
    verb: string,
  ): Promise<'wake' | 'chat.send'> {
    const sessionKey = agent.openclawSessionId ?? `agent:${key}:main`;
    const text = `Hello ${agent.name}. Your workspace has been ${verb}. Check in now with the command in AGENTS.md, then continue.`;
    if (hello.methods.includes('wake')) {
      await call(conn, 'wake', { mode: 'now', text, agentId: key, sessionKey });
      return 'wake';
    }
    await call(conn, 'chat.send', { sessionKey, message: text, idempotencyKey: randomUUID() });
    return 'chat.send';
  }

  function markStarted(agent: AgentRow, action: ProvisionAction, newCycle: boolean): void {
    db.update(agents)
      .set({
        status: action === 'update' ? 'updating' : 'provisioning',
        provisionAction: action,
        ...(newCycle && { wakeAttempts: 0 }),
        provisionRequestedAt: ctx.now(),
        lifecycleGeneration: sql`${agents.lifecycleGeneration} + 1`,
        lastProvisionError: null,
        updatedAt: ctx.now(),
      })
      .where(eq(agents.id, agent.id))
      .run();
  }

  /**
   * A failed run leaves the agent in the state it had, with the reason on the record and the action
   * still owed (`provision_action` stays set, so the next wake provisions instead of only waking).
   * When it was meant to wake the agent, the failure counts as a wake attempt with a deadline, so
   * the supervisor's ladder carries on and ends online or offline-with-reason — never stuck.
   *
   * Two exceptions, because an owed provisioning is retried by the supervisor without `keepTokenOnly`
   * and would mint a token nobody asked for:
   * - a token mismatch is a report, not a failure to retry: nothing was written, no wake was sent,
   *   the trail gets `lifecycle.token.mismatch` and the record says how to re-key;
   * - any other failure of a `keepTokenOnly` run (a template sync) leaves the owed action as it was
   *   before the run: the sync's result carries the error and running the sync again is the retry.
   */
  function markFailed(agent: AgentRow, options: ProvisionOptions, err: unknown): void {
    const now = ctx.now();
    if (err instanceof TokenMismatchError) {
      const reason = `Not ${options.action === 'update' ? 'updated' : 'provisioned'}: ${err.message}. Re-key it with a template sync with rotate_tokens=true.`;
      db.transaction((tx) => {
        tx.update(agents)
          .set({ status: agent.status, provisionAction: agent.provisionAction, lastProvisionError: reason, updatedAt: now })
          .where(eq(agents.id, agent.id))
          .run();
        recordLifecycle(tx, log, now, 'lifecycle.token.mismatch', agent.id, reason, { token: 'mismatch', action: options.action }, 'warn');
      });
      return;
    }
    const explanation = err instanceof GatewayError ? `${err.explanation} (${err.detail})` : (err as Error).message;
    const reason = `Gateway ${options.action} failed: ${explanation}`;
    db.transaction((tx) => {
      tx.update(agents)
        .set({
          status: agent.status,
          provisionAction: options.keepTokenOnly ? agent.provisionAction : options.action,
          lastProvisionError: reason,
          updatedAt: now,
        })
        .where(eq(agents.id, agent.id))
        .run();
      // A failed wake still counts, with its deadline and queued check: the ladder carries on.
      if (options.wake && !options.armed) armWake(tx, log, ctx.policy, agent, now, now, { how: `${options.action} failed`, error: reason });
      recordActivity(tx, now, {
        eventType: `agent.${options.action}.failed`,
        message: `${agent.name}: ${explanation}`,
        agentId: agent.id,
        boardId: agent.boardId,
      });
      recordLifecycle(
        tx,
        log,
        now,
        'lifecycle.wake.failed',
        agent.id,
        reason,
        { code: err instanceof GatewayError ? err.code : 'internal', action: options.action },
        'warn',
      );
    });
  }

  /** A warning for the record when the gateway's exec policy would refuse the headless check-in. */
  async function execPolicyWarning(conn: GatewayConnection, hello: GatewayHello, agentId: string, key: string): Promise<string | null> {
    try {
      const verdict = await checkinExecPolicy(conn, hello, key, deps.baseUrl);
      if (!verdict?.refused) return null;
      return `${EXEC_POLICY_PREFIX} ${verdict.reason}. Narrow fix: allow exactly its check-in command, for this agent only (POST /api/v1/agents/${agentId}/allow-checkin).`;
    } catch (err) {
      if (err instanceof GatewayError) return null; // the policy could not be read; the ladder will still tell
      throw err;
    }
  }

  async function provisionNow(agentId: string, options: ProvisionOptions): Promise<ProvisionResult> {
    const { agent, gateway, board } = load(agentId);
    // Queued behind a teardown: never re-create on the gateway an agent that is being deleted there.
    if (agent.status === 'deleting') throw conflict(`${agent.name} is being deleted; it is not provisioned again.`);
    const key = gatewayAgentKey(agent);
    markStarted(agent, options.action, options.newCycle ?? true);
    try {
      const conn = boundedBy(deps.manager.connection(target(gateway)), options.deadlineAt, ctx.now);
      const readyMs = options.deadlineAt ? Math.max(250, options.deadlineAt.getTime() - ctx.now().getTime()) : undefined;
      const hello = await deps.manager.ready(target(gateway), readyMs, { failFast: true });
      await ensureGatewayAgent(conn, gateway, key, agent.name);
      const { token, rotated } = await chooseToken(conn, agent, key, options.rotateToken ?? false, options.keepTokenOnly);
      const listing = await call(conn, 'agents.files.list', { agentId: key });
      const present = new Set(listing.files.filter((f) => !f.missing).map((f) => f.name));
      const context = templateContext(agent, board, token);
      const files = renderWorkspace(context, {
        bootstrap: options.action === 'provision' || (options.forceBootstrap ?? false),
        soulTemplate: agent.soulTemplate,
        identityTemplate: agent.identityTemplate,
      });
      const written: WorkspaceFile[] = [];
      const kept: WorkspaceFile[] = [];
      for (const [name, content] of files) {
        if (options.action === 'update' && !options.overwrite && PRESERVED_FILES.includes(name) && present.has(name)) {
          kept.push(name);
          continue;
        }
        try {
          await call(conn, 'agents.files.set', { agentId: key, name, content });
        } catch (err) {
          // The gateway may have applied the write and only its reply was lost (connection dropped,
          // timeout): then the workspace already holds the new token. Read it back and adopt the
          // token if it is there, so Mission Control does not keep refusing the agent's new token.
          if (name === 'AGENTS.md' && rotated) await adoptIfWritten(conn, agent.id, key, token);
          throw err;
        }
        written.push(name);
        // AGENTS.md (written first) holds the token now: switch to it at once, so a later failure
        // (a later file, the wake) leaves the workspace and Mission Control on the same token.
        if (name === 'AGENTS.md' && rotated) deps.agents.setToken(agent.id, token);
      }
      // The workspace now holds what a sync writes, with the agent's current token: remembered as in sync
      // (the overview's template drift), whatever happens to the later steps.
      rememberDrift(db, [
        {
          agentId: agent.id,
          checkedAt: ctx.now(),
          source: 'provision',
          fingerprint: templateFingerprint(expectedFiles(agent, { ...context, auth_token: REDACTED })),
          token: 'match',
          filesChanged: [],
          error: null,
        },
      ]);
      // Cadence first: a config change re-declares the heartbeat job, and the scratch belongs to the job.
      await alignHeartbeat(conn, key, agent.heartbeatConfig?.every ?? '10m');
      await writeHeartbeatScratch(conn, hello, key, renderTemplate('HEARTBEAT.md', context));
      if (options.resetSession && hello.methods.includes('sessions.reset')) {
        await call(conn, 'sessions.reset', { key: agent.openclawSessionId ?? `agent:${key}:main` }).catch((err: unknown) => {
          if (!(err instanceof GatewayError && isMissing(err))) throw err;
        });
      }
      // The wake time is taken before sending: a check-in that beats our bookkeeping still counts.
      const wakeSentAt = ctx.now();
      const woke = options.wake ? await wake(conn, hello, agent, key, options.action === 'update' ? 'updated' : 'provisioned') : null;
      const policyWarning = await execPolicyWarning(conn, hello, agent.id, key);
      const now = ctx.now();
      db.transaction((tx) => {
        tx.update(agents)
          .set({
            status: 'online',
            provisionAction: null,
            provisionRequestedAt: null,
            lastProvisionError: policyWarning,
            updatedAt: now,
          })
          .where(eq(agents.id, agent.id))
          .run();
        if (woke && !options.armed) armWake(tx, log, ctx.policy, agent, wakeSentAt, now, { how: `woken with ${woke}` });
        recordActivity(tx, now, {
          eventType: `agent.${options.action}.direct`,
          message: `${agent.name} ${options.action === 'update' ? 'updated' : 'provisioned'} on the gateway${woke ? ` and woken (${woke})` : ''}.`,
          agentId: agent.id,
          boardId: agent.boardId,
        });
      });
      return {
        agentId: agent.id,
        gatewayAgentId: key,
        filesWritten: written,
        filesKept: kept,
        tokenRotated: rotated,
        woke,
        wokeAt: woke ? wakeSentAt : null,
      };
    } catch (err) {
      markFailed(agent, options, err);
      throw err;
    }
  }

  return {
    /**
     * The workspace files an update would write for this agent, rendered with `token` (the drift
     * preview passes a placeholder: the real token is never needed to compare).
     */
    renderExpected(agentId: string, token: string): Map<WorkspaceFile, string> {
      const { agent, board } = load(agentId);
      return expectedFiles(agent, templateContext(agent, board, token));
    },

    /** Put the exact check-in command (curl, pinned arguments) on this agent's exec allowlist on its gateway, then re-check the policy. */
    async allowCheckin(agentId: string): Promise<void> {
      const { agent, gateway } = load(agentId);
      const conn = deps.manager.connection(target(gateway));
      const hello = await deps.manager.ready(target(gateway), undefined, { failFast: true });
      const key = gatewayAgentKey(agent);
      await allowCheckin(conn, key, deps.baseUrl);
      const warning = await execPolicyWarning(conn, hello, agent.id, key);
      const cleared = agent.lastProvisionError?.startsWith(EXEC_POLICY_PREFIX) ? warning : agent.lastProvisionError;
      db.update(agents).set({ lastProvisionError: cleared, updatedAt: ctx.now() }).where(eq(agents.id, agent.id)).run();
    },

    /** One provisioning at a time per agent (an API call and a supervisor retry must not interleave). */
    provision(agentId: string, options: ProvisionOptions): Promise<ProvisionResult> {
      return withAgentLock(agentId, () => provisionNow(agentId, options));
    },

    /**
     * Provision and keep going whatever happens: the outcome (including a classified gateway
     * failure) is on the agent record, which is what API callers read back.
     */
    async tryProvision(agentId: string, options: ProvisionOptions): Promise<ProvisionResult | Error> {
      try {
        return await this.provision(agentId, options);
      } catch (err) {
        if (err instanceof Error) return err;
        throw err;
      }
    },

    /**
     * Remove the agent from its gateway (files too) and close its session. A missing agent is fine.
     * Under the agent's lock: a provisioning or wake in flight finishes first, so it cannot re-create
     * the agent on the gateway after this delete (and one queued behind it finds the agent deleting).
     */
    async removeFromGateway(agentId: string): Promise<void> {
      await withAgentLock(agentId, async () => {
        const { agent, gateway } = load(agentId);
        const conn = deps.manager.connection(target(gateway));
        await deps.manager.ready(target(gateway), undefined, { failFast: true });
        const key = gatewayAgentKey(agent);
        // agents.delete takes the agent's sessions with it; the gateway refuses sessions.delete on a main session.
        try {
          await call(conn, 'agents.delete', { agentId: key, deleteFiles: true });
        } catch (err) {
          if (!(err instanceof GatewayError && isMissing(err))) throw err;
        }
        await waitForAgent(conn, key, false);
      });
    },

    /** The agents of a gateway that exist on it, by gateway agent id. */
    async gatewayAgentIds(gatewayId: string): Promise<string[]> {
      const gateway = db
        .select()
        .from(gateways)
        .where(and(eq(gateways.id, gatewayId)))
        .get();
      if (!gateway) return [];
      const conn = deps.manager.connection(target(gateway));
      const res = await call(conn, 'agents.list', {});
      return res.agents.map((a) => a.id);
    },
  };
}

export type Provisioner = ReturnType<typeof createProvisioner>;
