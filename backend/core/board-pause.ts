import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/open-db.js';
import { boardMemory } from '../db/schema.js';
import { rowid } from './paging.js';

/** What a board chat message may say to pause or resume its board's template sync. */
export const BOARD_COMMANDS = ['/pause', '/resume'] as const;
export type BoardCommand = (typeof BOARD_COMMANDS)[number];

/**
 * Boards whose latest `/pause` or `/resume` in chat is `/pause` (the web edition's rule: template
 * sync skips their agents until someone says `/resume`).
 */
export function pausedBoardIds(db: DbOrTx, boardIds: readonly string[]): Set<string> {
  if (boardIds.length === 0) return new Set();
  const command = sql<string>`lower(trim(${boardMemory.content}))`;
  const rows = db
    .select({ boardId: boardMemory.boardId, command, createdAt: boardMemory.createdAt })
    .from(boardMemory)
    .where(and(inArray(boardMemory.boardId, [...boardIds]), eq(boardMemory.isChat, true), inArray(command, [...BOARD_COMMANDS])))
    .orderBy(desc(boardMemory.createdAt), desc(rowid(boardMemory)))
    .all();
  const latest = new Map<string, string>();
  for (const row of rows) if (!latest.has(row.boardId)) latest.set(row.boardId, row.command);
  return new Set([...latest].filter(([, c]) => c === '/pause').map(([id]) => id));
}
