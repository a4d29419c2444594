import { and, count, desc, eq, ne, sql } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import type { BoardMemoryCreate, BoardMemoryRead } from '../contract/memory.js';
import { agents, boardMemory, type AgentRow, type BoardRow } from '../db/schema.js';
import { enqueueAgentMessage, recordActivity } from '../core/activity-log.js';
import type { Actor } from './actor.js';
import { actorFieldRefused, boardCommand, mayCommandBoard } from './actor-fields.js';
export { pausedBoardIds } from '../core/board-pause.js';
import { forbidden } from '../errors.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { extractMentions, matchesMention } from './mentions.js';
import { toMemoryRead } from './serialize.js';
import { pageOf, rowid } from '../core/paging.js';

const SNIPPET_MAX = 800;

/** Board chat and notes, with the web edition's chat fan-out (§2.8) into the agent outbox. */
export function createMemoryService(ctx: ServiceContext, baseUrl: string) {
  const { db } = ctx;

  return {
    list(boardId: string, query: PageQuery & { is_chat?: boolean | undefined }) {
      const where = and(
        eq(boardMemory.boardId, boardId),
        query.is_chat === undefined ? undefined : eq(boardMemory.isChat, query.is_chat),
        ne(sql`trim(${boardMemory.content})`, ''),
      );
      const total = db.select({ n: count() }).from(boardMemory).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(boardMemory)
        .where(where)
        .orderBy(desc(boardMemory.createdAt), desc(rowid(boardMemory)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(toMemoryRead), total, query);
    },

    /**
     * An agent writes as itself: `source` is its own name whatever the body says (a different one is
     * refused), and the row records the agent as the author, which is what the UI shows ("You" only
     * for the user's own rows). `/pause` and `/resume` in chat are the board lead's or the user's: an
     * agent that is not the board's lead is refused, nothing is stored or sent, and the attempt is on
     * the board's activity feed.
     */
    create(board: BoardRow, actor: Actor, input: BoardMemoryCreate): BoardMemoryRead {
      const now = ctx.now();
      const tags = input.tags ?? null;
      const isChat = tags?.includes('chat') ?? false;
      const sender = actor.kind === 'agent' ? actor.agent : null;
      const command = isChat ? boardCommand(input.content) : null;
      if (sender) {
        const claimed = input.source?.trim();
        if (claimed && claimed.toLowerCase() !== sender.name.toLowerCase())
          throw actorFieldRefused('source', `an agent writes as itself; leave it out or send your own name (${sender.name}).`);
        if (command && !mayCommandBoard(sender, board)) refuseBoardCommand(board, sender, command, now);
      }
      return db.transaction((tx) => {
        const row = tx
          .insert(boardMemory)
          .values({
            id: newId(),
            boardId: board.id,
            content: input.content,
            tags,
            isChat,
            source: sender ? sender.name : (input.source ?? 'User'),
            author: sender ? 'agent' : 'user',
            authorAgentId: sender?.id ?? null,
            createdAt: now,
          })
          .returning()
          .get();
        if (isChat) {
          const boardAgents = tx.select().from(agents).where(eq(agents.boardId, board.id)).all();
          for (const target of chatTargets(input.content, boardAgents, sender)) {
            const message = command ?? chatMessage(board, sender?.name ?? 'User', input.content, target.mentioned, baseUrl);
            enqueueAgentMessage(tx, now, { agentId: target.agent.id, kind: 'board.chat', message, deliver: true, boardId: board.id });
          }
        }
        return toMemoryRead(row);
      });
    },
  };

  function refuseBoardCommand(board: BoardRow, agent: AgentRow, command: string, now: Date): never {
    const who = agent.boardId === null ? 'the gateway’s main agent' : 'not this board’s lead';
    recordActivity(db, now, {
      eventType: 'board.command_refused',
      message: `${agent.name} (${who}) sent ${command} in the board chat; refused: only the board's lead or the user may ${command.slice(1)} the board.`,
      agentId: agent.id,
      boardId: board.id,
    });
    throw forbidden({
      message: `Only the board's lead or the user may ${command.slice(1)} this board; you are ${who}. Nothing was posted.`,
      code: 'board_command_forbidden',
    });
  }
}

/**
 * `/pause` and `/resume` go to every agent of the board but the sender; other chat goes to the
 * lead(s) and @mentioned agents, never back to the sender.
 */
export function chatTargets(content: string, boardAgents: AgentRow[], sender: AgentRow | null) {
  const others = boardAgents.filter((a) => a.id !== sender?.id);
  if (boardCommand(content)) return others.map((agent) => ({ agent, mentioned: false }));
  const mentions = extractMentions(content);
  return others.map((agent) => ({ agent, mentioned: matchesMention(agent, mentions) })).filter((t) => t.mentioned || t.agent.isBoardLead);
}

function chatMessage(board: BoardRow, from: string, content: string, mentioned: boolean, baseUrl: string): string {
  const snippet = content.length > SNIPPET_MAX ? `${content.slice(0, SNIPPET_MAX)}…` : content;
  return [
    mentioned ? 'BOARD CHAT MENTION' : 'BOARD CHAT',
    `Board: ${board.name}`,
    `From: ${from}`,
    '',
    snippet,
    '',
    `Reply via board chat: POST ${baseUrl}/api/v1/agent/boards/${board.id}/memory`,
    'Body: {"content":"...","tags":["chat"]}',
  ].join('\n');
}
