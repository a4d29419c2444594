import { and, asc, count, desc, eq, gt, ne, sql } from 'drizzle-orm';
import { LOCAL_ORGANIZATION_ID, type PageQuery } from '../contract/common.js';
import type {
  BoardGroupCreate,
  BoardGroupMemoryCreate,
  BoardGroupMemoryRead,
  BoardGroupRead,
  BoardGroupUpdate,
} from '../contract/board-groups.js';
import { boardGroupMemory, boardGroups, boards, type BoardGroupMemoryRow, type BoardGroupRow, type BoardRow } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { pageOf, rowid } from '../core/paging.js';
import type { Actor } from './actor.js';
import { actorFieldRefused } from './actor-fields.js';
import { memoryFields, slugify } from './serialize.js';

const toGroupRead = (row: BoardGroupRow): BoardGroupRead => ({
  id: row.id,
  organization_id: LOCAL_ORGANIZATION_ID,
  name: row.name,
  slug: row.slug,
  description: row.description,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const toGroupMemoryRead = (row: BoardGroupMemoryRow): BoardGroupMemoryRead => ({ board_group_id: row.boardGroupId, ...memoryFields(row) });

type MemoryListener = (memory: BoardGroupMemoryRead) => void;

/**
 * Board groups and their shared memory (the web edition's board groups). An agent reaches a group
 * only through its own board (the board route checks that against its token) and writes as itself,
 * as in board memory. New entries are also pushed to the group's live streams.
 */
export function createBoardGroupService(ctx: ServiceContext) {
  const { db } = ctx;
  const listeners = new Map<string, Set<MemoryListener>>();

  const getRow = (id: string): BoardGroupRow => {
    const row = db.select().from(boardGroups).where(eq(boardGroups.id, id)).get();
    if (!row) throw notFound('Board group');
    return row;
  };

  const memoryWhere = (groupId: string, isChat: boolean | undefined) =>
    and(
      eq(boardGroupMemory.boardGroupId, groupId),
      isChat === undefined ? undefined : eq(boardGroupMemory.isChat, isChat),
      ne(sql`trim(${boardGroupMemory.content})`, ''),
    );

  function listMemory(groupId: string | null, query: PageQuery & { is_chat?: boolean | undefined }) {
    if (!groupId) return pageOf<BoardGroupMemoryRead>([], 0, query);
    const where = memoryWhere(groupId, query.is_chat);
    const total = db.select({ n: count() }).from(boardGroupMemory).where(where).get()?.n ?? 0;
    const rows = db
      .select()
      .from(boardGroupMemory)
      .where(where)
      .orderBy(desc(boardGroupMemory.createdAt), desc(rowid(boardGroupMemory)))
      .limit(query.limit)
      .offset(query.offset)
      .all();
    return pageOf(rows.map(toGroupMemoryRead), total, query);
  }

  function createMemory(groupId: string, actor: Actor, input: BoardGroupMemoryCreate): BoardGroupMemoryRead {
    const sender = actor.kind === 'agent' ? actor.agent : null;
    const claimed = input.source?.trim();
    if (sender && claimed && claimed.toLowerCase() !== sender.name.toLowerCase()) {
      throw actorFieldRefused('source', `an agent writes as itself; leave it out or send your own name (${sender.name}).`);
    }
    const tags = input.tags ?? null;
    const row = db
      .insert(boardGroupMemory)
      .values({
        id: newId(),
        boardGroupId: groupId,
        content: input.content,
        tags,
        isChat: tags?.includes('chat') ?? false,
        source: sender ? sender.name : (input.source ?? 'User'),
        author: sender ? 'agent' : 'user',
        authorAgentId: sender?.id ?? null,
        createdAt: ctx.now(),
      })
      .returning()
      .get();
    const read = toGroupMemoryRead(row);
    for (const listener of listeners.get(groupId) ?? []) listener(read);
    return read;
  }

  return {
    list(query: PageQuery) {
      const total = db.select({ n: count() }).from(boardGroups).get()?.n ?? 0;
      const rows = db.select().from(boardGroups).orderBy(asc(boardGroups.name)).limit(query.limit).offset(query.offset).all();
      return pageOf(rows.map(toGroupRead), total, query);
    },
    get: (id: string) => toGroupRead(getRow(id)),
    create(input: BoardGroupCreate): BoardGroupRead {
      const now = ctx.now();
      const row = db
        .insert(boardGroups)
        .values({
          id: newId(),
          name: input.name,
          slug: input.slug ?? slugify(input.name),
          description: input.description ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      return toGroupRead(row);
    },
    update(id: string, patch: BoardGroupUpdate): BoardGroupRead {
      getRow(id);
      const row = db
        .update(boardGroups)
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.slug !== undefined && { slug: patch.slug }),
          ...(patch.description !== undefined && { description: patch.description }),
          updatedAt: ctx.now(),
        })
        .where(eq(boardGroups.id, id))
        .returning()
        .get();
      return toGroupRead(row!);
    },
    /** Its boards stay, ungrouped; its memory goes with it. */
    delete(id: string): void {
      getRow(id);
      db.transaction((tx) => {
        tx.update(boards).set({ boardGroupId: null }).where(eq(boards.boardGroupId, id)).run();
        tx.delete(boardGroups).where(eq(boardGroups.id, id)).run();
      });
    },
    listMemory: (groupId: string, query: PageQuery & { is_chat?: boolean | undefined }) => listMemory(getRow(groupId).id, query),
    createMemory: (groupId: string, actor: Actor, input: BoardGroupMemoryCreate) => createMemory(getRow(groupId).id, actor, input),
    /** The board's group memory: empty when the board has no group. */
    listForBoard: (board: BoardRow, query: PageQuery & { is_chat?: boolean | undefined }) => listMemory(board.boardGroupId, query),
    /** Writing through a board without a group is a 422 (as in the web edition). */
    createForBoard(board: BoardRow, actor: Actor, input: BoardGroupMemoryCreate): BoardGroupMemoryRead {
      if (!board.boardGroupId) throw new AppError('validation_failed', 'Board is not in a board group.');
      return createMemory(board.boardGroupId, actor, input);
    },
    /** Entries after `since` (oldest first), then each new one as it is written; returns the unsubscribe. */
    follow(groupId: string, since: Date, isChat: boolean | undefined, listener: MemoryListener): () => void {
      const backlog = db
        .select()
        .from(boardGroupMemory)
        .where(and(memoryWhere(groupId, isChat), gt(boardGroupMemory.createdAt, since)))
        .orderBy(asc(boardGroupMemory.createdAt), asc(rowid(boardGroupMemory)))
        .limit(200)
        .all();
      for (const row of backlog) listener(toGroupMemoryRead(row));
      const filtered: MemoryListener = (memory) => {
        if (isChat === undefined || memory.is_chat === isChat) listener(memory);
      };
      const set = listeners.get(groupId) ?? new Set<MemoryListener>();
      set.add(filtered);
      listeners.set(groupId, set);
      return () => {
        set.delete(filtered);
        if (set.size === 0) listeners.delete(groupId);
      };
    },
  };
}

export type BoardGroupService = ReturnType<typeof createBoardGroupService>;
