import { eq } from 'drizzle-orm';
import type { BoardOnboardingRead, OnboardingAgentUpdate } from '../contract/board-onboarding.js';
import { boardOnboardingSessions, type AgentRow, type BoardOnboardingRow, type BoardRow } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';

const toRead = (row: BoardOnboardingRow): BoardOnboardingRead => ({
  id: row.id,
  board_id: row.boardId,
  session_key: row.sessionKey,
  status: row.status,
  messages: row.messages ?? null,
  draft_goal: row.draftGoal ?? null,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/**
 * Board onboarding as the gateway main agent drives it. Only the main agent of the board's own
 * gateway may write (the web edition's "dedicated gateway agent" rule), from its token. The web
 * edition answers 404 until the user starts the onboarding; here the main agent's first question
 * opens the session (the start flow that prompts it is not built yet).
 */
export function createBoardOnboardingService(ctx: ServiceContext) {
  const { db } = ctx;
  const find = (boardId: string) => db.select().from(boardOnboardingSessions).where(eq(boardOnboardingSessions.boardId, boardId)).get();

  return {
    get(boardId: string): BoardOnboardingRead {
      const row = find(boardId);
      if (!row) throw notFound('Onboarding session');
      return toRead(row);
    },
    agentUpdate(board: BoardRow, agent: AgentRow, input: OnboardingAgentUpdate): BoardOnboardingRead {
      if (agent.boardId !== null || agent.gatewayId !== board.gatewayId)
        throw forbidden('Only the dedicated gateway agent may call this endpoint.');
      const now = ctx.now();
      const current = find(board.id);
      if (current?.status === 'confirmed') throw new AppError('conflict', 'Onboarding is already confirmed.');
      const message = { role: 'assistant', content: JSON.stringify(input), timestamp: now.toISOString() };
      const complete = 'status' in input;
      const row = current
        ? db
            .update(boardOnboardingSessions)
            .set({
              messages: [...(current.messages ?? []), message],
              ...(complete && { status: 'completed' as const, draftGoal: input as Record<string, unknown> }),
              updatedAt: now,
            })
            .where(eq(boardOnboardingSessions.id, current.id))
            .returning()
            .get()
        : db
            .insert(boardOnboardingSessions)
            .values({
              id: newId(),
              boardId: board.id,
              sessionKey: agent.openclawSessionId ?? `agent:mc-gateway-${agent.gatewayId}:main`,
              status: complete ? 'completed' : 'active',
              messages: [message],
              draftGoal: complete ? (input as Record<string, unknown>) : null,
              createdAt: now,
              updatedAt: now,
            })
            .returning()
            .get();
      return toRead(row!);
    },
  };
}
