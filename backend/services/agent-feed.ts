import { gte } from 'drizzle-orm';
import type { AgentRead } from '../contract/agents.js';
import { agents } from '../db/schema.js';
import type { GuardedLoop } from '../core/guarded-loop.js';
import type { ServiceContext } from '../core/context.js';
import { toAgentRead } from './serialize.js';

/*
 * Live agent changes for the UI and the tray (`GET /api/v1/events`). Many writers touch agents
 * (check-ins, the wake ladder, provisioning), so instead of hooking each one the feed looks at rows
 * updated since its last look (indexed) and, less often, at everyone — status also changes with time
 * alone (offline after silence). Only a change a person would see is published.
 */

type Listener = (agent: AgentRead) => void;

const visible = (a: AgentRead) =>
  JSON.stringify([a.status, a.wake_attempts, a.last_provision_error, a.checkin_deadline_at, a.name, a.board_id]);

export function createAgentFeed(ctx: ServiceContext, options: { pollMs?: number; fullScanMs?: number } = {}) {
  const listeners = new Set<Listener>();
  const seen = new Map<string, string>();
  let cursor = 0;
  let lastFullScan = 0;
  let timer: GuardedLoop | null = null;

  function publishChanged(rows: (typeof agents.$inferSelect)[]): void {
    const now = ctx.now();
    for (const row of rows) {
      const read = toAgentRead(row, now, ctx.policy);
      const key = visible(read);
      if (seen.get(row.id) === key) continue;
      seen.set(row.id, key);
      for (const listener of listeners) listener(read);
    }
  }

  function poll(): void {
    if (listeners.size === 0) return;
    const nowMs = ctx.now().getTime();
    const full = nowMs - lastFullScan >= (options.fullScanMs ?? 15_000);
    const rows = full
      ? ctx.db.select().from(agents).all()
      : ctx.db
          .select()
          .from(agents)
          .where(gte(agents.updatedAt, new Date(cursor)))
          .all();
    if (full) lastFullScan = nowMs;
    for (const row of rows) cursor = Math.max(cursor, row.updatedAt.getTime());
    publishChanged(rows);
  }

  return {
    /** Listen for changes; the current state of every agent is not replayed (read it with GET /agents). */
    subscribe(listener: Listener): () => void {
      if (listeners.size === 0) {
        // Start from "now" so a new subscriber only hears changes; remember what everyone looks like.
        const rows = ctx.db.select().from(agents).all();
        const now = ctx.now();
        for (const row of rows) {
          cursor = Math.max(cursor, row.updatedAt.getTime());
          seen.set(row.id, visible(toAgentRead(row, now, ctx.policy)));
        }
        lastFullScan = now.getTime();
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start(): void {
      timer ??= ctx.loops.every('agent feed', poll, { intervalMs: options.pollMs ?? 250 });
      timer.start();
    },
    stop(): void {
      void timer?.stop(); // poll is synchronous: nothing is left in flight
      timer = null;
      listeners.clear();
    },
  };
}

export type AgentFeed = ReturnType<typeof createAgentFeed>;
