import type { ApprovalRow, BoardRow, TaskRow } from '../db/schema.js';

/*
 * Texts pushed into agent sessions. The first line of each (`TASK ASSIGNED`, `CHANGES REQUESTED`,
 * …) is a marker agents and templates key on, so those stay exactly as in the web edition; the
 * action lines tell the agent which API call to make next.
 */

const SNIPPET_MAX = 500;

/** Trimmed, and cut to 500 characters ending in `...` (the web edition's snippet rule). */
export function snippet(value: string): string {
  const text = value.trim();
  return text.length <= SNIPPET_MAX ? text : `${text.slice(0, SNIPPET_MAX - 3)}...`;
}

type TaskLike = Pick<TaskRow, 'id' | 'title' | 'description' | 'status'>;
type BoardLike = Pick<BoardRow, 'id' | 'name'>;

function details(board: BoardLike, task: TaskLike): string[] {
  const lines = [`Board: ${board.name}`, `Task: ${task.title}`, `Task ID: ${task.id}`, `Status: ${task.status}`];
  const description = snippet(task.description ?? '');
  if (description) lines.push(`Description: ${description}`);
  return lines;
}

const taskUrl = (baseUrl: string, board: BoardLike, task: TaskLike) => `${baseUrl}/api/v1/agent/boards/${board.id}/tasks/${task.id}`;

export function assignmentMessage(baseUrl: string, board: BoardLike, task: TaskLike, toLead: boolean): string {
  const url = taskUrl(baseUrl, board, task);
  if (task.status === 'review' && toLead) {
    return [
      'TASK READY FOR LEAD REVIEW',
      ...details(board, task),
      '',
      'Take action: review the deliverables now. Approve by moving to done or return to inbox with clear feedback.',
      `Read the thread: GET ${url}/comments`,
      `Approve: PATCH ${url} with {"status":"done"}`,
      `Request changes: POST ${url}/comments with {"message":"..."}, then PATCH ${url} with {"status":"inbox"}`,
    ].join('\n');
  }
  return [
    'TASK ASSIGNED',
    ...details(board, task),
    '',
    'Take action: open the task and begin work. Post updates as task comments.',
    ...(task.status === 'in_progress' ? [] : [`Start: PATCH ${url} with {"status":"in_progress"}`]),
    `Comment: POST ${url}/comments with {"message":"..."}`,
    `When done: PATCH ${url} with {"status":"review","comment":"<what you did, with evidence>"}`,
  ].join('\n');
}

export function reworkMessage(baseUrl: string, board: BoardLike, task: TaskLike, feedback: string | null): string {
  const url = taskUrl(baseUrl, board, task);
  const requested =
    feedback && feedback.trim() ? snippet(feedback) : 'Lead requested changes. Review latest task comments for exact required updates.';
  return [
    'CHANGES REQUESTED',
    ...details(board, task),
    '',
    'Requested changes:',
    requested,
    '',
    'Take action: address the requested changes, then move the task back to review.',
    `Read the thread: GET ${url}/comments`,
    `Back to review: PATCH ${url} with {"status":"review","comment":"<what changed>"}`,
  ].join('\n');
}

export function backInInboxMessage(baseUrl: string, board: BoardLike, task: TaskLike): string {
  const url = taskUrl(baseUrl, board, task);
  return [
    'TASK BACK IN INBOX',
    ...details(board, task),
    '',
    'Take action: assign a new owner or adjust the plan.',
    `Assign: PATCH ${url} with {"assigned_agent_id":"<worker id>","status":"in_progress"}`,
  ].join('\n');
}

export function newTaskMessage(baseUrl: string, board: BoardLike, task: TaskLike): string {
  const url = taskUrl(baseUrl, board, task);
  return [
    'NEW TASK ADDED',
    ...details(board, task),
    '',
    'Take action: triage, assign, or plan next steps.',
    `Assign: PATCH ${url} with {"assigned_agent_id":"<worker id>","status":"in_progress"}`,
  ].join('\n');
}

export function commentMessage(baseUrl: string, board: BoardLike, task: TaskLike, from: string, text: string, mentioned: boolean): string {
  const url = taskUrl(baseUrl, board, task);
  return [
    mentioned ? 'TASK MENTION' : 'NEW TASK COMMENT',
    `Board: ${board.name}`,
    `Task: ${task.title}`,
    `Task ID: ${task.id}`,
    `From: ${from}`,
    '',
    mentioned ? 'You were mentioned in this comment.' : 'A new comment was posted on your task.',
    '',
    'Comment:',
    snippet(text),
    '',
    'If you are mentioned but not assigned, reply in the task thread but do not change task status.',
    `Reply: POST ${url}/comments with {"message":"..."}`,
  ].join('\n');
}

export function approvalResolvedMessage(
  baseUrl: string,
  board: BoardLike,
  approval: Pick<ApprovalRow, 'id' | 'actionType' | 'status' | 'confidence'>,
  taskIds: readonly string[],
): string {
  const lines = [
    'APPROVAL RESOLVED',
    `Board: ${board.name}`,
    `Approval ID: ${approval.id}`,
    `Action: ${approval.actionType}`,
    `Decision: ${approval.status === 'approved' ? 'approved' : 'rejected'}`,
    `Confidence: ${approval.confidence}`,
  ];
  if (taskIds.length === 1) lines.push(`Task ID: ${taskIds[0]}`);
  else if (taskIds.length > 1) lines.push(`Task IDs: ${taskIds.join(', ')}`);
  lines.push('', 'Take action: continue execution using the final approval decision.');
  if (approval.status === 'approved' && taskIds.length > 0) {
    lines.push(`Finish an approved task: PATCH ${baseUrl}/api/v1/agent/boards/${board.id}/tasks/<task id> with {"status":"done"}`);
  }
  lines.push(`Approvals: GET ${baseUrl}/api/v1/agent/boards/${board.id}/approvals`);
  return lines.join('\n');
}
