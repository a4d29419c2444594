import { and, eq } from 'drizzle-orm';
import { agents, boards, gateways, type AgentRow, type BoardRow, type GatewayRow } from '../db/schema.js';
import { call } from '../gateway/call.js';
import type { GatewayConnection, GatewayHello } from '../gateway/connection.js';
import { GatewayError } from '../gateway/errors.js';
import { gatewayTarget, type GatewayManager } from '../gateway/manager.js';
import { conflict } from '../errors.js';
import type { AgentRecords as AgentService } from '../core/ports.js';
import type { ServiceContext } from '../core/context.js';
import { PRESERVED_FILES, REDACTED, renderTemplate, renderWorkspace, type WorkspaceFile } from '../templates/render.js';
import { withAgentLock } from '../core/agent-lock.js';
import { rememberDrift, templateFingerprint } from './drift-memory.js';
import { allowCheckin, checkinExecPolicy } from './exec-policy.js';
import { gatewayAgentKey, isMissing, waitForAgent } from './gateway-agents.js';
import { boundedBy } from './bounded-connection.js';
import { expectedFiles, templateContext } from './provision-context.js';
import { markFailed, markProvisioned, markStarted } from './provision-outcome.js';
import { alignHeartbeat, ensureGatewayAgent, wakeAgent, writeHeartbeatScratch } from './provision-steps.js';
import { adoptIfWritten, chooseToken } from './provision-token.js';

export { TokenMismatchError } from './provision-token.js';

/*
 * Provisioning an agent on its gateway: create the gateway agent (idempotent), write the rendered
 * workspace files, put the heartbeat checklist in the heartbeat job's scratch, align the heartbeat
 * cadence, and wake it. Every step can run again safely. Methods are chosen by what the gateway
 * advertises (hello-ok.features.methods), never guessed. The steps live beside this file:
 * provision-steps (gateway), provision-token (which token), provision-context (what is rendered),
 * provision-outcome (what the record, ladder and trail say afterwards).
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

export interface ProvisionerDeps {
  ctx: ServiceContext;
  agents: AgentService;
  manager: GatewayManager;
  baseUrl: string;
}

/** How an exec-policy warning on an agent record starts (so a fix can clear exactly it). */
export const EXEC_POLICY_PREFIX = 'Check-ins will be refused by the gateway:';


/**
 * Writes the rendered files (an update keeps the agent's own USER.md / MEMORY.md unless `overwrite`).
 * AGENTS.md (written first) holds the token: Mission Control switches to a new one the moment it is
 * written, and when the write fails it checks whether the gateway applied it anyway.
 */
async function writeWorkspace(
  deps: ProvisionerDeps,
  conn: GatewayConnection,
  agent: AgentRow,
  key: string,
  files: Map<WorkspaceFile, string>,
  token: { token: string; rotated: boolean },
  options: ProvisionOptions,
): Promise<{ written: WorkspaceFile[]; kept: WorkspaceFile[] }> {
  const listing = await call(conn, 'agents.files.list', { agentId: key });
  const present = new Set(listing.files.filter((f) => !f.missing).map((f) => f.name));
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
      if (name === 'AGENTS.md' && token.rotated)
        await adoptIfWritten(deps.agents, deps.ctx.logger.child('provisioner'), conn, agent.id, key, token.token);
      throw err;
    }
    written.push(name);
    // AGENTS.md (written first) holds the token now: switch to it at once, so a later failure
    // (a later file, the wake) leaves the workspace and Mission Control on the same token.
    if (name === 'AGENTS.md' && token.rotated) deps.agents.setToken(agent.id, token.token);
  }
  return { written, kept };
}

export function createProvisioner(deps: ProvisionerDeps) {
  const { ctx } = deps;
  const { db } = ctx;
  const log = ctx.logger.child('provisioner');
  const target = gatewayTarget;
  const env = { baseUrl: deps.baseUrl, policy: ctx.policy };

  function load(agentId: string): { agent: AgentRow; gateway: GatewayRow; board: BoardRow | null } {
    const agent = deps.agents.getRow(agentId);
    const gateway = db.select().from(gateways).where(eq(gateways.id, agent.gatewayId)).get();
    if (!gateway) throw new Error(`agent ${agentId} has no gateway`);
    const board = agent.boardId ? (db.select().from(boards).where(eq(boards.id, agent.boardId)).get() ?? null) : null;
    return { agent, gateway, board };
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
    markStarted(ctx, agent, options.action, options.newCycle ?? true);
    try {
      const conn = boundedBy(deps.manager.connection(target(gateway)), options.deadlineAt, ctx.now);
      const readyMs = options.deadlineAt ? Math.max(250, options.deadlineAt.getTime() - ctx.now().getTime()) : undefined;
      const hello = await deps.manager.ready(target(gateway), readyMs, { failFast: true });
      await ensureGatewayAgent(conn, gateway, key, agent.name);
      const token = await chooseToken(deps.agents, conn, agent, key, options.rotateToken ?? false, options.keepTokenOnly);
      const context = templateContext(agent, board, token.token, env);
      const files = renderWorkspace(context, {
        bootstrap: options.action === 'provision' || (options.forceBootstrap ?? false),
        soulTemplate: agent.soulTemplate,
        identityTemplate: agent.identityTemplate,
      });
      const { written, kept } = await writeWorkspace(deps, conn, agent, key, files, token, options);
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
      await writeHeartbeatScratch(conn, hello, key, renderTemplate('HEARTBEAT.md', context), log);
      if (options.resetSession && hello.methods.includes('sessions.reset')) {
        await call(conn, 'sessions.reset', { key: agent.openclawSessionId ?? `agent:${key}:main` }).catch((err: unknown) => {
          if (!(err instanceof GatewayError && isMissing(err))) throw err;
        });
      }
      // The wake time is taken before sending: a check-in that beats our bookkeeping still counts.
      const wakeSentAt = ctx.now();
      const woke = options.wake ? await wakeAgent(conn, hello, agent, key, options.action === 'update' ? 'updated' : 'provisioned') : null;
      const policyWarning = await execPolicyWarning(conn, hello, agent.id, key);
      markProvisioned(ctx, log, agent, options, { woke, wakeSentAt, policyWarning });
      return {
        agentId: agent.id,
        gatewayAgentId: key,
        filesWritten: written,
        filesKept: kept,
        tokenRotated: token.rotated,
        woke,
        wokeAt: woke ? wakeSentAt : null,
      };
    } catch (err) {
      markFailed(ctx, log, agent, options, err);
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
      return expectedFiles(agent, templateContext(agent, board, token, env));
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
