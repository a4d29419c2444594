import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { DoctorFix } from '../../contract/diagnostics.js';
import { agents, lifecycleEvents, type AgentRow } from '../../db/schema.js';
import { call } from '../../gateway/call.js';
import { gatewayTarget } from '../../gateway/manager.js';
import { gatewayAgentKey } from '../../lifecycle/gateway-agents.js';
import { RUN_FAILED_EVENT, scrub as scrubRunError } from '../../lifecycle/gateway-runs.js';
import { fix, type AppEnv, type CheckDef, type CheckEnv } from '../types.js';
import { rotateFixes } from './templates.js';

/*
 * Agent checks read what the lifecycle already records: the ladder columns on the agent row, the
 * trail in lifecycle_events, and 401s attributed to a rotated token (agent_auth_failures).
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The longest a ladder may legitimately take: every wake's deadline, plus slack for the wakes themselves. */
const ladderBoundMs = (env: CheckEnv) =>
  env.app!.services.ctx.policy.checkinDeadlineMs * env.app!.services.ctx.policy.maxWakeAttempts + 60_000;

function trail(app: AppEnv, agentId: string, limit = 6) {
  return app.services.ctx.db
    .select()
    .from(lifecycleEvents)
    .where(eq(lifecycleEvents.agentId, agentId))
    .orderBy(desc(lifecycleEvents.createdAt))
    .limit(limit)
    .all()
    .map((e) => ({ at: e.createdAt.toISOString(), event: e.event, message: e.message }));
}

const wakeFix = (a: AgentRow): DoctorFix => fix('wake_agent', `Wake ${a.name} (a new check-in ladder)`, a.id);
const reprovisionFix = (a: AgentRow): DoctorFix =>
  fix('reprovision_agent', `Re-provision ${a.name}: rewrite its workspace with its current token, fresh session, wake`, a.id, true);

export const tokenDrift: CheckDef = {
  id: 'agents.token_drift',
  title: 'Agent tokens in sync',
  severity: 'critical',
  needsApp: true,
  verify: 'Looks for 401s with a rotated token newer than the agent’s last successful check-in.',
  run(env) {
    const app = env.app!;
    const since = new Date(env.now().getTime() - env.thresholds.recentAuthFailureMs);
    const failures = app.services.agentAuth.recentFailures({ since });
    const byAgent = new Map<string, { count: number; last: string }>();
    for (const f of failures) {
      if (f.reason !== 'retired_token' || !f.agent_id) continue;
      const prev = byAgent.get(f.agent_id);
      byAgent.set(f.agent_id, { count: (prev?.count ?? 0) + f.count, last: prev && prev.last > f.last_at ? prev.last : f.last_at });
    }
    const rows = byAgent.size
      ? app.services.ctx.db
          .select()
          .from(agents)
          .where(inArray(agents.id, [...byAgent.keys()]))
          .all()
      : [];
    // Drift is current while no check-in succeeded after the last refused one.
    const drifted = rows.filter((a) => !a.lastSeenAt || a.lastSeenAt.toISOString() < (byAgent.get(a.id)?.last ?? ''));
    const unknown = failures.filter((f) => f.reason === 'unknown_token').reduce((n, f) => n + f.count, 0);
    const fixes: DoctorFix[] = drifted.map(reprovisionFix);
    if (app.templateSync) {
      // Per gateway, the narrowest rotate & re-sync that covers its drifted agents (their board, or the gateway for a main agent).
      for (const gatewayId of new Set(drifted.map((a) => a.gatewayId))) {
        const gateway = app.services.gateways.getRow(gatewayId);
        fixes.push(...rotateFixes(app, gateway, drifted.filter((a) => a.gatewayId === gatewayId)));
      }
    }
    const evidence = {
      drifted: drifted.map((a) => ({
        agent_id: a.id,
        name: a.name,
        refused_checkins: byAgent.get(a.id)?.count ?? 0,
        last_refused_at: byAgent.get(a.id)?.last ?? null,
        last_seen_at: iso(a.lastSeenAt),
      })),
      unknown_token_failures: unknown,
      window_minutes: Math.round(env.thresholds.recentAuthFailureMs / 60_000),
    };
    if (drifted.length) {
      return {
        status: 'fail',
        explanation: `${drifted.map((a) => a.name).join(', ')} call${drifted.length === 1 ? 's' : ''} the API with a token that was rotated away (401): token drift — its workspace holds an old token. Re-provisioning writes its current token into its workspace (fresh session); rotate & re-sync issues a new token, writes it, refuses the old one and waits for the check-in.`,
        evidence,
        fixes,
      };
    }
    if (unknown > 0) {
      return {
        status: 'warn',
        explanation: `${unknown} request(s) in the last ${evidence.window_minutes} min used an agent token Mission Control never issued (another install, or a deleted agent still running).`,
        evidence,
      };
    }
    return { status: 'ok', explanation: 'No agent is using a rotated token.', evidence };
  },
};

/** The gateway's newest account of a failed run of this agent, as the lifecycle recorded it. */
function lastRunFailure(app: AppEnv, agentId: string) {
  const e = app.services.ctx.db
    .select()
    .from(lifecycleEvents)
    .where(and(eq(lifecycleEvents.agentId, agentId), eq(lifecycleEvents.event, RUN_FAILED_EVENT)))
    .orderBy(desc(lifecycleEvents.createdAt))
    .limit(1)
    .get();
  if (!e) return null;
  const data = (e.data ?? {}) as Record<string, unknown>;
  return { at: e.createdAt.toISOString(), cause: data.cause ?? null, error: data.error ?? null, run_id: data.run_id ?? null };
}

const SESSION_FIELDS = ['key', 'status', 'lastRunError', 'hasActiveRun', 'updatedAt', 'lastActivityAt', 'lastInteractionAt'] as const;

/**
 * The agent's sessions as the gateway lists them right now (`sessions.list {agentId}`), when its gateway is
 * connected: status and last run error straight from the gateway. Only these fields, the error scrubbed.
 */
async function liveSessions(app: AppEnv, agent: AgentRow): Promise<{ sessions: Record<string, unknown>[] } | { unavailable: string }> {
  const status = app.manager.status(agent.gatewayId);
  if (status.state !== 'connected') return { unavailable: `gateway not connected (${status.error?.code ?? status.state})` };
  try {
    const conn = app.manager.connection(gatewayTarget(app.services.gateways.getRow(agent.gatewayId)));
    const res = await call(
      conn,
      'sessions.list',
      { agentId: gatewayAgentKey(agent), limit: 3 },
      { timeoutMs: 5_000 },
    );
    return {
      sessions: res.sessions.map((row) =>
        Object.fromEntries(
          SESSION_FIELDS.filter((k) => row[k] !== undefined).map((k) => [
            k,
            k === 'lastRunError' && typeof row[k] === 'string' ? scrubRunError(row[k]).slice(0, 300) : row[k],
          ]),
        ),
      ),
    };
  } catch (err) {
    return { unavailable: `sessions.list failed: ${(err as Error).message}` };
  }
}

/** What the gateway itself says about an offline agent: its recorded failed runs and its live session state. */
async function gatewaySide(app: AppEnv, agent: AgentRow) {
  return { last_run_failure: lastRunFailure(app, agent.id), live: await liveSessions(app, agent) };
}

/** A sentence from the gateway's evidence, unless the offline reason already carries it. */
function gatewaySentence(agent: AgentRow, side: Awaited<ReturnType<typeof gatewaySide>>): string {
  if (agent.lastProvisionError?.includes('gateway: agent run failed')) return '';
  const failed = 'sessions' in side.live ? side.live.sessions.find((s) => typeof s.lastRunError === 'string' && s.lastRunError) : undefined;
  if (failed)
    return ` The gateway reports its session ${String(failed.key)} as ${String(failed.status ?? 'failed')}: ${String(failed.lastRunError)}.`;
  if (side.last_run_failure)
    return ` The gateway reported a failed run at ${side.last_run_failure.at}: ${String(side.last_run_failure.error)}.`;
  return '';
}

export const offlineAgents: CheckDef = {
  id: 'agents.offline',
  title: 'Agents offline after their wakes',
  severity: 'warning',
  needsApp: true,
  verify: 'Reads the agents’ status again (online once they checked in).',
  async run(env) {
    const app = env.app!;
    const rows = app.services.ctx.db.select().from(agents).where(eq(agents.status, 'offline')).all();
    if (!rows.length) return { status: 'ok', explanation: 'No agent is offline.', evidence: { offline: [] } };
    const sides = await Promise.all(rows.map((a) => gatewaySide(app, a)));
    return {
      status: 'fail',
      explanation: rows
        .map((a, i) => `${a.name}: ${a.lastProvisionError ?? 'offline (no reason recorded)'}${gatewaySentence(a, sides[i]!)}`)
        .join(' '),
      evidence: {
        offline: rows.map((a, i) => ({
          agent_id: a.id,
          name: a.name,
          reason: a.lastProvisionError,
          wake_attempts: a.wakeAttempts,
          last_wake_sent_at: iso(a.lastWakeSentAt),
          last_seen_at: iso(a.lastSeenAt),
          trail: trail(app, a.id),
          gateway: sides[i],
        })),
      },
      fixes: rows.flatMap((a) => [wakeFix(a), reprovisionFix(a)]),
    };
  },
};

export const neverCheckedIn: CheckDef = {
  id: 'agents.never_checked_in',
  title: 'Agents that never checked in',
  severity: 'warning',
  needsApp: true,
  verify: 'Looks for a first check-in (last_seen_at) again.',
  run(env) {
    const app = env.app!;
    // No ladder running (it ended) and never a check-in: every wake went unanswered.
    const rows = app.services.ctx.db
      .select()
      .from(agents)
      .where(and(isNull(agents.lastSeenAt), isNull(agents.checkinDeadlineAt), isNull(agents.provisionAction)))
      .all()
      .filter((a) => a.status !== 'deleting');
    if (!rows.length)
      return { status: 'ok', explanation: 'Every agent whose wakes are over has checked in at least once.', evidence: { agents: [] } };
    return {
      status: 'fail',
      explanation:
        `${rows.map((a) => a.name).join(', ')} never called the heartbeat API since being created. Usual causes: the gateway’s exec policy refuses curl, the base URL is unreachable from the gateway host, or the model never runs the check-in. ${rows
          .map((a) => (a.lastProvisionError ? `${a.name}: ${a.lastProvisionError}` : ''))
          .filter(Boolean)
          .join(' ')}`.trim(),
      evidence: {
        agents: rows.map((a) => ({
          agent_id: a.id,
          name: a.name,
          status: a.status,
          created_at: iso(a.createdAt),
          wake_attempts: a.wakeAttempts,
          trail: trail(app, a.id),
        })),
      },
      fixes: rows.flatMap((a) => [wakeFix(a), reprovisionFix(a)]),
    };
  },
};

export const stuckAgents: CheckDef = {
  id: 'agents.stuck',
  title: 'No agent stuck in provisioning or updating',
  severity: 'critical',
  needsApp: true,
  verify: 'Looks for provisioning/updating agents without a live check-in deadline again.',
  run(env) {
    const app = env.app!;
    const now = env.now().getTime();
    const bound = ladderBoundMs(env);
    // The ladder guarantees an end within its bound; an agent past it (or with no deadline at all) is stuck.
    const rows = app.services.ctx.db
      .select()
      .from(agents)
      .where(inArray(agents.status, ['provisioning', 'updating']))
      .all()
      .filter((a) => now - a.updatedAt.getTime() > bound && (!a.checkinDeadlineAt || now - a.checkinDeadlineAt.getTime() > bound));
    if (!rows.length)
      return {
        status: 'ok',
        explanation: 'No agent is stuck: every provisioning ends online or offline with a reason.',
        evidence: { stuck: [] },
      };
    return {
      status: 'fail',
      explanation: `${rows.map((a) => `${a.name} (${a.status} since ${a.updatedAt.toISOString()})`).join(', ')} ${rows.length === 1 ? 'is' : 'are'} stuck beyond the ladder’s bound of ${Math.round(bound / 1000)} s. This must not happen; re-provisioning starts a new cycle that ends online or offline with a reason.`,
      evidence: {
        stuck: rows.map((a) => ({
          agent_id: a.id,
          name: a.name,
          status: a.status,
          updated_at: iso(a.updatedAt),
          checkin_deadline_at: iso(a.checkinDeadlineAt),
          provision_action: a.provisionAction,
          trail: trail(app, a.id),
        })),
        bound_seconds: Math.round(bound / 1000),
      },
      fixes: rows.map(reprovisionFix),
    };
  },
};
