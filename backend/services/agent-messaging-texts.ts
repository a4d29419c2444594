import type { AgentRow, BoardRow } from '../db/schema.js';

/*
 * Texts the messaging endpoints push into agents' sessions and the board chat. The first line of each
 * (`GATEWAY MAIN QUESTION`, `LEAD REQUEST: ASK USER`, …) is the web edition's marker, which its
 * templates (and agents trained on them) key on. One difference on purpose: the reply instruction
 * never asks the agent to send `source`, because here an agent always writes as itself (a foreign
 * `source` is refused, backend/services/actor-fields.ts); the requested reply source travels as a tag.
 */

type Board = Pick<BoardRow, 'id' | 'name'>;
type Sender = Pick<AgentRow, 'name'>;

export const DEFAULT_LEAD_REPLY_TAGS = ['gateway_main', 'lead_reply'];
export const DEFAULT_USER_REPLY_TAGS = ['gateway_main', 'user_reply'];
export const DEFAULT_LEAD_REPLY_SOURCE = 'lead_to_gateway_main';
export const DEFAULT_USER_REPLY_SOURCE = 'user_via_gateway_main';

/** The tags to reply with: the requested ones, then the reply source (once), so the asker can filter on either. */
export function replyTags(
  tags: readonly string[] | undefined,
  fallback: readonly string[],
  source: string | null | undefined,
  fallbackSource: string,
): string[] {
  const all = [...(tags && tags.length > 0 ? tags : fallback), source?.trim() || fallbackSource];
  return [...new Set(all)];
}

function replyLines(baseUrl: string, board: Board, tags: string[], content: string): string[] {
  return [
    'Reply by writing a NON-chat memory item on this board:',
    `POST ${baseUrl}/api/v1/agent/boards/${board.id}/memory`,
    `Body: {"content":"${content}","tags":${JSON.stringify(tags)}}`,
    'Do NOT reply in OpenClaw chat.',
  ];
}

const correlationLine = (id: string | null | undefined): string[] => (id?.trim() ? [`Correlation ID: ${id.trim()}`] : []);

export function nudgeText(baseUrl: string, board: Board, from: Sender, message: string): string {
  return [
    'NUDGE FROM LEAD',
    `Board: ${board.name}`,
    `Board ID: ${board.id}`,
    `From lead: ${from.name}`,
    '',
    message.trim(),
    '',
    `Reply via board chat: POST ${baseUrl}/api/v1/agent/boards/${board.id}/memory`,
    'Body: {"content":"...","tags":["chat"]}',
  ].join('\n');
}

export interface LeadMessageInput {
  kind: 'question' | 'handoff';
  content: string;
  correlation_id?: string | null | undefined;
  reply_tags?: string[] | undefined;
  reply_source?: string | null | undefined;
}

export function leadMessageText(baseUrl: string, board: Board, from: Sender, input: LeadMessageInput): string {
  const tags = replyTags(input.reply_tags, DEFAULT_LEAD_REPLY_TAGS, input.reply_source, DEFAULT_LEAD_REPLY_SOURCE);
  return [
    input.kind === 'question' ? 'GATEWAY MAIN QUESTION' : 'GATEWAY MAIN HANDOFF',
    `Board: ${board.name}`,
    `Board ID: ${board.id}`,
    `From agent: ${from.name}`,
    ...correlationLine(input.correlation_id),
    '',
    input.content.trim(),
    '',
    ...replyLines(baseUrl, board, tags, '...'),
  ].join('\n');
}

export interface AskUserInput {
  content: string;
  correlation_id?: string | null | undefined;
  preferred_channel?: string | null | undefined;
  reply_tags?: string[] | undefined;
  reply_source?: string | null | undefined;
}

/** For the gateway's main agent: the web edition's request, told that the user already has the question in Mission Control. */
export function askUserText(baseUrl: string, board: Board, lead: Sender, input: AskUserInput): string {
  const tags = replyTags(input.reply_tags, DEFAULT_USER_REPLY_TAGS, input.reply_source, DEFAULT_USER_REPLY_SOURCE);
  const channel = input.preferred_channel?.trim();
  return [
    'LEAD REQUEST: ASK USER',
    `Board: ${board.name}`,
    `Board ID: ${board.id}`,
    `From lead: ${lead.name}`,
    ...correlationLine(input.correlation_id),
    ...(channel ? [`Preferred channel: ${channel}`] : []),
    '',
    input.content.trim(),
    '',
    'The question is already in this board’s chat in Mission Control, where the user can answer it.',
    'If you can reach the user through your configured OpenClaw channel(s) (Slack/SMS/etc), ask there too.',
    '',
    'When you receive the answer, write it back on this board.',
    ...replyLines(baseUrl, board, tags, '<answer>'),
  ].join('\n');
}

/** What the user sees in the board chat: who asks, and the question. */
export function askUserChatText(lead: Sender, input: AskUserInput): string {
  return [`Question for you from ${lead.name} (board lead):`, '', input.content.trim(), ...correlationLine(input.correlation_id)].join(
    '\n',
  );
}
