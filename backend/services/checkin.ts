import { eq, sql } from 'drizzle-orm';
import type { AgentRead } from '../contract/agents.js';
import { agents, type AgentRow } from '../db/schema.js';
import { notFound } from '../errors.js';
import { recordActivity } from '../core/activity-log.js';
import type { ServiceContext } from '../core/context.js';
import { CHECKIN_RESET, ladderInProgress, prepareCheckinWrite, recordCheckin } from '../core/wake-ladder.js';
import { silenceThresholdMs } from '../core/wake-ladder-reasons.js';
import type { Presence } from './presence.js';
import { toAgentRead } from './serialize.js';

/*
 * Where a heartbeat lands (after authentication, http/auth.ts + agent-auth.ts): the check-in writes
 * last_seen_at, resets the wake ladder through its owner (core/wake-ladder.ts) and moves
 * provisioning/offline → online; a steady one only moves the clock, in memory (presence.ts).
 */

/**
 * A check-in's status: the one sent (`/api/v1/agents/{id}/heartbeat` may set a free-form status),
 * else provisioning/offline become online. updating/deleting are Mission Control's own and stay,
 * whatever the agent sends: an agent must not end its own update or teardown (docs/security.md).
 */
export function statusAfterCheckin(current: string, sent: string | undefined): string {
  if (current === 'updating' || current === 'deleting') return current;
  if (sent !== undefined) return sent;
  return current === 'provisioning' || current === 'offline' ? 'online' : current;
}

export function createCheckin(ctx: ServiceContext, presence: Presence) {
  const { db } = ctx;
  // The check-in is the hot path (every agent, every wake): statements are prepared once, and so is
  // the transaction used when state changes (building one per call cost ~16 µs; see docs/performance.md).
  const checkinStmt = prepareCheckinWrite(db);
  const checkinWithActivity = ctx.sqlite.transaction((agent: AgentRow, next: AgentRow, now: Date) => {
    if (checkinStmt.run({ id: agent.id, now: now.getTime(), status: next.status }).changes === 0) throw notFound('Agent');
    if (ladderInProgress(agent)) recordCheckin(db, ctx.logger, now, agent);
    if (next.status !== agent.status) {
      recordActivity(db, now, {
        eventType: 'agent.heartbeat',
        message: `Heartbeat received from ${agent.name} (${agent.status} → ${next.status}).`,
        agentId: agent.id,
        boardId: agent.boardId,
      });
    }
  });

  return {
    /**
     * The check-in: sets last_seen_at, resets the wake ladder and moves provisioning/offline →
     * online. `agent` was read by authentication in this same synchronous step, so the answer is
     * built from it instead of reading the row back. A steady-state check-in (nothing but the clock
     * changes) is one single-row UPDATE; a state change is a transaction with its activity row.
     */
    heartbeat(agent: AgentRow, status?: string): AgentRead {
      const now = ctx.now();
      const next: AgentRow = {
        ...agent,
        status: statusAfterCheckin(agent.status, status),
        lastSeenAt: now,
        updatedAt: now,
        // The ladder reset as core/wake-ladder.ts writes it (CHECKIN_RESET), spelled out: one spread keeps the literal on V8's fast clone.
        wakeAttempts: CHECKIN_RESET.wakeAttempts,
        checkinDeadlineAt: CHECKIN_RESET.checkinDeadlineAt,
        lastProvisionError: null,
      };
      // Steady: nothing but the clock changes, as stored and as reads show it (an agent read as offline
      // after silence coming back is a visible change, written through like the others).
      const steady =
        next.status === agent.status &&
        agent.wakeAttempts === 0 &&
        agent.checkinDeadlineAt === null &&
        agent.lastProvisionError === null &&
        agent.lastSeenAt !== null &&
        now.getTime() - agent.lastSeenAt.getTime() <= silenceThresholdMs(agent, ctx.policy);
      if (steady) {
        // Only the clock changes: recorded in memory, flushed in batches within PRESENCE_FLUSH_MS (see createPresence).
        presence.defer(next);
      } else {
        // State changes are never deferred: one transaction with their activity row.
        checkinWithActivity(agent, next, now);
        presence.settled(agent.id);
      }
      return toAgentRead(next, now, ctx.policy);
    },

    /** Any successful agent call refreshes presence, at most every `presenceTouchMs`. */
    touchPresence(agent: AgentRow): void {
      const now = ctx.now();
      const seen = presence.overlay(agent).lastSeenAt;
      if (seen && now.getTime() - seen.getTime() < ctx.policy.presenceTouchMs) return;
      db.update(agents)
        .set({
          lastSeenAt: now,
          updatedAt: now,
          status: sql`CASE WHEN ${agents.status} IN ('updating', 'deleting') THEN ${agents.status} ELSE 'online' END`,
        })
        .where(eq(agents.id, agent.id))
        .run();
    },
  };
}
