import { BOARD_COMMANDS, type BoardCommand } from '../core/board-pause.js';
import type { AppError } from '../errors.js';
import { forbidden } from '../errors.js';
import type { AgentRow, BoardRow } from '../db/schema.js';

/*
 * Agents are untrusted (LLMs with a shell, steered by whatever they read): who did something comes
 * from the credential, never from the body. A body field that names an actor (`source` on board
 * memory, `agent_id` on an approval, `created_by_user_id` on a task) may name only the calling agent
 * itself or be left out. Anything else is refused with the field's path and the reason, so the agent
 * learns why instead of having its words quietly attributed to someone else.
 */

/** The code agents and tests can match on. */
export const ACTOR_FROM_CREDENTIAL = 'actor_from_credential';

export function actorFieldRefused(field: string, why: string): AppError {
  return forbidden({ message: `${field}: ${why}`, code: ACTOR_FROM_CREDENTIAL, loc: ['body', field] });
}

/** The chat commands that pause or resume a whole board's agents. */

/** `content` as a board command (trimmed, any case), or null. */
export function boardCommand(content: string): BoardCommand | null {
  const command = content.trim().toLowerCase();
  return (BOARD_COMMANDS as readonly string[]).includes(command) ? (command as BoardCommand) : null;
}

/**
 * Pausing a board changes what every agent on it does (and what a template sync writes), so it is
 * the board lead's or the user's call, never a worker's — nor the gateway's main agent's, which is
 * no one's lead on that board.
 */
export function mayCommandBoard(agent: AgentRow, board: BoardRow): boolean {
  return agent.isBoardLead && agent.boardId === board.id;
}
