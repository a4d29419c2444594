import { eq, inArray } from 'drizzle-orm';
import type { TemplateSyncResult } from '../contract/templates.js';
import { agents, retiredAgentTokens } from '../db/schema.js';
import type { DbOrTx } from '../db/open-db.js';
import type { ServiceContext } from '../core/context.js';

/*
 * What a template sync's `verify` reports after the writes: whether each woken agent checked in, and
 * whether every token it used before a rotation is refused now. Both read the database only.
 */

export interface Woken {
  entry: TemplateSyncResult['agents'][number];
  wokeAt: Date;
  oldTokenRefused: boolean;
}

/**
 * Every token the agent used before the rotation is refused now: Mission Control's previous one is
 * retired, and neither it nor the one its workspace held is any agent's current token. Read from
 * the database, so it does not depend on the agent happening to try an old token.
 */
export function oldTokensRefused(db: DbOrTx, hashes: (string | null)[]): boolean {
  const [previous] = hashes;
  if (previous && !db.select().from(retiredAgentTokens).where(eq(retiredAgentTokens.tokenHash, previous)).get()) return false;
  const known = hashes.filter((h): h is string => h !== null);
  return known.length === 0 || !db.select({ id: agents.id }).from(agents).where(inArray(agents.agentTokenHash, known)).get();
}

/**
 * Wait (one check-in deadline from each wake, at most `waitMs`) for the woken agents to check in.
 */
export async function verifyCheckIns(ctx: ServiceContext, woken: Woken[], timing: { waitMs: number; pollMs: number }): Promise<void> {
  const { db } = ctx;
  const pending = new Set(woken);
  const deadlineMs = Math.max(...woken.map((w) => w.wokeAt.getTime())) + timing.waitMs;
  for (;;) {
    for (const item of pending) {
      const row = db.select({ lastSeenAt: agents.lastSeenAt }).from(agents).where(eq(agents.id, item.entry.agent_id)).get();
      if (row?.lastSeenAt && row.lastSeenAt.getTime() >= item.wokeAt.getTime()) {
        item.entry.verify = { woken: true, checked_in: true, checked_in_at: row.lastSeenAt.toISOString(), old_token_refused: false };
        pending.delete(item);
      }
    }
    if (pending.size === 0 || ctx.now().getTime() >= deadlineMs) break;
    await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
  }
  for (const item of woken) {
    item.entry.verify = {
      ...(item.entry.verify ?? { woken: true, checked_in: false, checked_in_at: null }),
      old_token_refused: item.oldTokenRefused,
    };
  }
}
