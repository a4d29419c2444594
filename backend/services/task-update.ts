import { and, eq } from 'drizzle-orm';
import type { TaskUpdate } from '../contract/tasks.js';
import type { DbOrTx } from '../db/open-db.js';
import { agents, tasks, type AgentRow, type BoardRow, type TaskRow } from '../db/schema.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { recordActivity } from '../core/activity-log.js';
import type { Actor } from './actor.js';
import { boardLead, notifyTaskChange, reconcileDependents, type EffectContext } from './task-effects.js';
import {
  blockedByIds,
  dependencyIdsByTask,
  hasApproval,
  lastReviewSubmitter,
  latestCommentBy,
  replaceDependencies,
  replaceTags,
  validateDependencies,
  validateTagIds,
} from './task-queries.js';
import {
  LEAD_SELF_ASSIGN,
  assertBoardGates,
  assertLeadFields,
  assertLeadStatusChange,
  assertStatusNotNull,
  assertWorkerUpdate,
  blockedError,
  commentRequiredError,
  isStatusChange,
  taskForbidden,
  dependenciesFrozenError,
  planNotifications,
  taskEvent,
  userTransition,
  workerTransition,
  type ActorRole,
  type TaskState,
} from './task-rules.js';

/*
 * PATCH of a task (reference §2.7): one of three actor paths (board lead, other agent, user), then
 * the board gates, the write, the activity trail, dependents and notifications — all inside one
 * transaction, so a refused update leaves the task exactly as it was.
 */

type Db = DbOrTx;

export interface UpdateContext extends EffectContext {
  actor: Actor;
  task: TaskRow;
  body: TaskUpdate;
}

const stateOf = (task: TaskRow): TaskState => ({
  status: task.status,
  assignedAgentId: task.assignedAgentId,
  inProgressAt: task.inProgressAt,
  previousInProgressAt: task.previousInProgressAt,
});

const roleOf = (actor: Actor): ActorRole =>
  actor.kind === 'agent' ? { kind: 'agent', agentId: actor.agent.id, isLead: actor.agent.isBoardLead } : { kind: 'user' };

/** An assignee must be a worker of this board; leads never take tasks themselves. */
export function resolveAssignee(tx: Db, board: BoardRow, agentId: string | null, forbidLead: boolean): string | null {
  if (agentId === null) return null;
  const agent = tx.select().from(agents).where(eq(agents.id, agentId)).get();
  if (!agent) throw notFound('Agent');
  if (forbidLead && agent.isBoardLead) throw forbidden(LEAD_SELF_ASSIGN);
  if (agent.boardId !== board.id) throw conflict('The assignee is not an agent of this board.');
  return agent.id;
}

/** Replace dependencies when asked (never on a done task) and return the effective list. */
function effectiveDependencies(u: UpdateContext): string[] {
  const { tx, board, task, body } = u;
  if (body.depends_on_task_ids === undefined) return dependencyIdsByTask(tx, [task.id]).get(task.id) ?? [];
  if (task.status === 'done') throw dependenciesFrozenError();
  const ids = validateDependencies(tx, board.id, task.id, body.depends_on_task_ids);
  replaceDependencies(tx, board.id, task.id, ids, u.now);
  return ids;
}

function assertGates(u: UpdateContext, before: TaskState, next: TaskState): void {
  assertBoardGates({
    board: u.board,
    previousStatus: before.status,
    targetStatus: next.status,
    statusRequested: isStatusChange(before, u.body),
    hasPendingApproval: () => hasApproval(u.tx, u.board.id, u.task.id, 'pending'),
    hasApprovedApproval: () => hasApproval(u.tx, u.board.id, u.task.id, 'approved'),
  });
}

function write(u: UpdateContext, next: TaskState, tagIds: string[] | undefined, content: Partial<TaskRow>): TaskRow {
  if (tagIds !== undefined) replaceTags(u.tx, u.task.id, tagIds, u.now);
  const row = u.tx
    .update(tasks)
    .set({ ...content, ...next, updatedAt: u.now })
    .where(eq(tasks.id, u.task.id))
    .returning()
    .get();
  return row ?? u.task;
}

/** Activity, dependents and notifications for a written change, in the web edition's order. */
function record(u: UpdateContext, before: TaskState, row: TaskRow): TaskRow {
  const role = roleOf(u.actor);
  const actorAgentId = role.kind === 'agent' ? role.agentId : null;
  const comment = u.body.comment?.trim();
  if (comment) {
    recordActivity(u.tx, u.now, {
      eventType: 'task.comment',
      message: u.body.comment,
      agentId: actorAgentId,
      taskId: row.id,
      boardId: row.boardId,
    });
  }
  recordActivity(u.tx, u.now, {
    ...taskEvent(row.title, before.status, row.status),
    agentId: actorAgentId,
    taskId: row.id,
    boardId: row.boardId,
  });
  reconcileDependents(u, row, before.status, actorAgentId);
  notifyTaskChange(u, role, row, planNotifications(role, before, stateOf(row)));
  return row;
}

function leadUpdate(u: UpdateContext): TaskRow {
  const { tx, board, task, body } = u;
  assertLeadFields(body);
  const before = stateOf(task);
  const blocked = blockedByIds(tx, effectiveDependencies(u));
  const tagIds = body.tag_ids === undefined ? undefined : validateTagIds(tx, body.tag_ids);
  // A blocked task is refused, never quietly rewritten: the lead must fix the dependencies first.
  if (blocked.length > 0 && (body.assigned_agent_id !== undefined || body.status !== undefined)) throw blockedError(blocked);

  let next = before;
  const assigning = body.assigned_agent_id !== undefined && body.assigned_agent_id !== null;
  if (isStatusChange(before, body)) {
    assertLeadStatusChange(before.status, body.status, assigning);
    if (body.status === 'inbox') {
      next = { ...next, status: 'inbox', assignedAgentId: lastReviewSubmitter(tx, task.id, board.id), inProgressAt: null };
    } else {
      // in_progress_at is set here too (the web edition left it null on the lead path), so the
      // worker's later review can find "comments since you started".
      next = { ...next, status: body.status, inProgressAt: body.status === 'in_progress' ? u.now : next.inProgressAt };
    }
  }
  // An explicit assignee wins over the "return to the last worker" default.
  if (body.assigned_agent_id !== undefined) next = { ...next, assignedAgentId: resolveAssignee(tx, board, body.assigned_agent_id, true) };
  assertGates(u, before, next);
  return record(u, before, write(u, next, tagIds, {}));
}

function workerUpdate(u: UpdateContext, agent: AgentRow): TaskRow {
  const { tx, board, task, body } = u;
  // Only the board's own agents work its tasks; the gateway main agent may read them, not take them.
  if (agent.boardId !== board.id) throw taskForbidden('task_board_mismatch', 'Only agents of this board can update its tasks.');
  const before = stateOf(task);
  assertWorkerUpdate(before, agent.id, body);
  let next = before;
  if (isStatusChange(before, body)) {
    if (board.onlyLeadCanChangeStatus) throw forbidden('Only board leads can change task status.');
    if (body.status !== 'inbox') {
      const blocked = blockedByIds(tx, effectiveDependencies(u));
      if (blocked.length > 0) throw blockedError(blocked);
    }
    next = workerTransition(before, body.status, agent.id, u.now);
  }
  return finish(u, before, next, undefined, {});
}

function userUpdate(u: UpdateContext): TaskRow {
  const { tx, board, body } = u;
  const before = stateOf(u.task);
  const tagIds = body.tag_ids === undefined ? undefined : validateTagIds(tx, body.tag_ids);
  const blocked = blockedByIds(tx, effectiveDependencies(u));
  if (body.assigned_agent_id) resolveAssignee(tx, board, body.assigned_agent_id, false);
  const next = userTransition(before, body, blocked.length > 0, u.now);
  const content: Partial<TaskRow> = {
    ...(body.title !== undefined && { title: body.title }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.priority !== undefined && { priority: body.priority }),
    ...(body.due_at !== undefined && { dueAt: body.due_at === null ? null : new Date(body.due_at) }),
  };
  return finish(u, before, next, tagIds, content);
}

/** Shared tail of the worker and user paths: gates, the review comment rule, review hand-off. */
function finish(u: UpdateContext, before: TaskState, planned: TaskState, tagIds: string[] | undefined, content: Partial<TaskRow>): TaskRow {
  let next = planned;
  assertGates(u, before, next);
  if (u.body.status === 'review' && before.status !== 'review' && u.board.commentRequiredForReview && !u.body.comment?.trim()) {
    const author = next.assignedAgentId ?? before.assignedAgentId;
    const since = next.previousInProgressAt ?? before.inProgressAt;
    const recent = author && since ? latestCommentBy(u.tx, u.task.id, author, since) : null;
    if (!recent?.trim()) throw commentRequiredError();
  }
  if (next.status === 'review' && before.status !== 'review') {
    const lead = boardLead(u.tx, u.board.id);
    if (lead) next = { ...next, assignedAgentId: lead.id };
  }
  return record(u, before, write(u, next, tagIds, content));
}

export function applyTaskUpdate(u: UpdateContext): TaskRow {
  assertStatusNotNull(u.body);
  const { actor } = u;
  if (actor.kind === 'agent' && actor.agent.isBoardLead && actor.agent.boardId === u.board.id) return leadUpdate(u);
  if (actor.kind === 'agent') return workerUpdate(u, actor.agent);
  return userUpdate(u);
}

/** The task row, only if it belongs to this board (a task id from another board is a 404 here). */
export function taskOnBoard(tx: Db, boardId: string, taskId: string): TaskRow {
  const row = tx
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.boardId, boardId)))
    .get();
  if (!row) throw notFound('Task');
  return row;
}
