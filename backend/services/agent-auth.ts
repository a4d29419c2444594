import { and, count, eq, gte, inArray, sql } from 'drizzle-orm';
import type { LogThrottle } from '../log-throttle.js';
import { AppError } from '../errors.js';
import { agentAuthFailures, agents, retiredAgentTokens, type AgentRow } from '../db/schema.js';
import type { ServiceContext } from '../core/context.js';
import type { Presence } from './presence.js';
import { hashAgentToken, tokenPrefix } from '../core/tokens.js';

export type AuthFailureReason = 'unknown_token' | 'retired_token' | 'missing_token';

export interface AuthFailureSummary {
  agent_id: string | null;
  token_prefix: string;
  reason: AuthFailureReason;
  count: number;
  first_at: string;
  last_at: string;
}

/**
 * Distinct (prefix, agent, reason) rows kept. Past it, new prefixes are counted in one overflow row per
 * agent and reason (`token_prefix` `*`): a client inventing a token per request grows a count, not the
 * table. Rows also expire with the retention horizon (see retention.ts).
 */
export const MAX_AUTH_FAILURE_ROWS = 500;
export const OVERFLOW_PREFIX = '*';

/**
 * Agent authentication: one indexed lookup per request, or none when the token is in the
 * authentication cache (valid only while nothing was written since; see `createPresence`). Failures are counted per token prefix and,
 * when the token is one an agent held before a rotation, per agent — the evidence for "token drift"
 * (heartbeats answered 401) without ever storing or logging the token itself.
 */
export function createAgentAuth(ctx: ServiceContext, presence: Presence, refusals: LogThrottle) {
  const byHash = ctx.db
    .select()
    .from(agents)
    .where(eq(agents.agentTokenHash, sql.placeholder('hash')))
    .prepare();
  const retiredByHash = ctx.db
    .select({ agentId: retiredAgentTokens.agentId })
    .from(retiredAgentTokens)
    .where(eq(retiredAgentTokens.tokenHash, sql.placeholder('hash')))
    .prepare();

  const bump = ctx.sqlite.prepare('UPDATE agent_auth_failures SET count = count + 1, last_at = ? WHERE key = ? RETURNING count');

  function recordFailure(token: string, reason: AuthFailureReason, agentId: string | null): void {
    const now = ctx.now();
    let prefix = reason === 'missing_token' ? '' : tokenPrefix(token);
    let key = `${prefix}|${agentId ?? '-'}|${reason}`;
    let n = (bump.get(now.getTime(), key) as { count: number } | undefined)?.count;
    if (n === undefined) {
      const rows = ctx.db.select({ n: count() }).from(agentAuthFailures).get()?.n ?? 0;
      if (rows >= MAX_AUTH_FAILURE_ROWS) {
        prefix = OVERFLOW_PREFIX;
        key = `${OVERFLOW_PREFIX}|${agentId ?? '-'}|${reason}`;
      }
      n =
        ctx.db
          .insert(agentAuthFailures)
          .values({ key, tokenPrefix: prefix, agentId, reason, count: 1, firstAt: now, lastAt: now })
          .onConflictDoUpdate({ target: agentAuthFailures.key, set: { count: sql`${agentAuthFailures.count} + 1`, lastAt: now } })
          .returning({ count: agentAuthFailures.count })
          .get()?.count ?? 1;
    }
    // A stale agent retrying every few seconds, or a client trying tokens, must not flood the log:
    // the first failure per agent and reason in a window is logged, the rest are counted.
    refusals.warn(`agent|${reason}|${agentId ?? '-'}`, 'auth.agent_failed', 'agent authentication failed', {
      token_prefix: prefix,
      reason,
      agent_id: agentId,
      failures: n,
    });
  }

  return {
    /** Resolve the agent for a raw token, or throw 401 after recording the failure. */
    authenticate(token: string | undefined): AgentRow {
      if (!token) {
        recordFailure('', 'missing_token', null);
        throw new AppError('unauthorized', 'Agent token required (X-Agent-Token header).');
      }
      // A token seen before, with the database unchanged since, needs no hash and no query (see createPresence).
      const cached = presence.lookup(token);
      if (cached) return cached;
      const hash = hashAgentToken(token);
      const agent = byHash.get({ hash });
      if (agent) {
        presence.remember(token, agent);
        return agent;
      }
      const retired = retiredByHash.get({ hash });
      recordFailure(token, retired ? 'retired_token' : 'unknown_token', retired?.agentId ?? null);
      throw new AppError(
        'unauthorized',
        retired
          ? 'Agent token was rotated and is no longer valid; run a template sync so the agent gets its current token.'
          : 'Invalid agent token.',
      );
    },

    /** Recent failures (for the doctor and the agent page), newest first. */
    recentFailures(options: { since: Date; agentIds?: string[] }): AuthFailureSummary[] {
      const where = options.agentIds
        ? and(gte(agentAuthFailures.lastAt, options.since), inArray(agentAuthFailures.agentId, options.agentIds))
        : gte(agentAuthFailures.lastAt, options.since);
      return ctx.db
        .select()
        .from(agentAuthFailures)
        .where(where)
        .orderBy(sql`${agentAuthFailures.lastAt} desc`)
        .all()
        .map((r) => ({
          agent_id: r.agentId,
          token_prefix: r.tokenPrefix,
          reason: r.reason,
          count: r.count,
          first_at: r.firstAt.toISOString(),
          last_at: r.lastAt.toISOString(),
        }));
    },
  };
}

export type AgentAuth = ReturnType<typeof createAgentAuth>;
