import type { TaskStatus } from '../contract/common.js';
import type { TaskUpdate } from '../contract/tasks.js';
import type { BoardRow } from '../db/schema.js';
import { AppError, conflict, forbidden, unprocessable } from '../errors.js';

/*
 * The task state machine of the web edition (reference §2.7) as pure decisions: no database, no
 * clock. The effectful flow (task-update.ts) gathers facts, asks these functions what to do and
 * writes the result in one transaction. Error texts and codes are part of the agent contract —
 * agents parse them — so they are kept verbatim.
 */

/** The mutable part of a task the state machine decides on. */
export interface TaskState {
  status: TaskStatus;
  assignedAgentId: string | null;
  inProgressAt: Date | null;
  previousInProgressAt: Date | null;
}

export type ActorRole = { kind: 'user' } | { kind: 'agent'; agentId: string; isLead: boolean };

// ── errors agents parse ─────────────────────────────────────────────────────

export const blockedError = (blockedByTaskIds: readonly string[]) =>
  conflict({
    message: 'Task is blocked by incomplete dependencies.',
    code: 'task_blocked_cannot_transition',
    blocked_by_task_ids: [...blockedByTaskIds],
  });

const gateError = (message: string) => conflict({ message, blocked_by_task_ids: [] });

export const taskForbidden = (code: 'task_board_mismatch' | 'task_assignee_mismatch' | 'task_update_field_forbidden', message: string) =>
  forbidden({ message, code });

export const ONLY_LEADS = 'Only board leads can perform this action';
export const LEAD_SELF_ASSIGN = 'Board leads cannot assign tasks to themselves.';

// ── dependencies ────────────────────────────────────────────────────────────

/** Order-preserving de-duplication (agents send lists; the first mention wins). */
export function dedupe(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Dependencies that are not done; a dependency missing from `statusById` counts as blocking. */
export function blockedBy(dependencyIds: readonly string[], statusById: ReadonlyMap<string, string>): string[] {
  return dependencyIds.filter((id) => statusById.get(id) !== 'done');
}

/**
 * Would giving `taskId` the dependencies `next` close a cycle? The stored graph is acyclic (every
 * write is checked), so a new cycle must run through `taskId`: it exists iff `taskId` is reachable
 * from one of `next` over the existing edges (indirect cycles included).
 */
export function createsCycle(taskId: string, next: readonly string[], edges: ReadonlyMap<string, readonly string[]>): boolean {
  const seen = new Set<string>();
  const stack = [...next];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === taskId) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const dep of edges.get(current) ?? []) if (dep !== undefined) stack.push(dep);
  }
  return false;
}

export function assertDependencyShape(taskId: string, ids: readonly string[]): void {
  if (ids.includes(taskId)) throw unprocessable('Task cannot depend on itself.');
}

export const missingDependenciesError = (missing: readonly string[]) =>
  new AppError('not_found', { message: 'One or more dependency tasks were not found on this board.', missing_task_ids: [...missing] });

export const dependencyCycleError = () => conflict('Dependency cycle detected. Remove the cycle before saving.');

export const dependenciesFrozenError = () => conflict('Cannot change task dependencies after a task is done.');

// ── request shape per actor ─────────────────────────────────────────────────

const LEAD_FIELDS = ['assigned_agent_id', 'custom_field_values', 'depends_on_task_ids', 'status', 'tag_ids'];
const WORKER_FIELDS = new Set(['status', 'comment', 'custom_field_values']);

/** Keys the caller actually sent (`comment: null` counts as not sent, as in the web edition). */
function sentFields(body: TaskUpdate): string[] {
  return Object.entries(body)
    .filter(([key, value]) => value !== undefined && !(key === 'comment' && value === null))
    .map(([key]) => key);
}

/** The web edition's `status_requested`: a status is sent and differs from the current one. */
export const isStatusChange = (task: Pick<TaskState, 'status'>, body: TaskUpdate): body is TaskUpdate & { status: TaskStatus } =>
  body.status != null && body.status !== task.status;

export function assertStatusNotNull(body: TaskUpdate): void {
  if (body.status === null) throw unprocessable('status is required');
}

/** Leads steer work (assignment, status, dependencies, tags); they do not edit content or comment in a PATCH. */
export function assertLeadFields(body: TaskUpdate): void {
  if (body.comment !== undefined && body.comment !== null) {
    throw forbidden(
      'Lead comment gate failed: board leads cannot include `comment` in task PATCH. Use the task comments endpoint instead.',
    );
  }
  const disallowed = sentFields(body)
    .filter((key) => !LEAD_FIELDS.includes(key))
    .sort();
  if (disallowed.length > 0) {
    throw forbidden(
      `Lead field gate failed: unsupported fields for board leads: ${disallowed.join(', ')}. Allowed fields: ${LEAD_FIELDS.join(', ')}.`,
    );
  }
}

/** Workers may claim unassigned work and move their own tasks, and nothing else. */
export function assertWorkerUpdate(task: TaskState, agentId: string, body: TaskUpdate): void {
  // Re-sending the current status is not a status change (the web edition's `status_requested`).
  if (isStatusChange(task, body) && task.assignedAgentId !== null && task.assignedAgentId !== agentId) {
    throw taskForbidden('task_assignee_mismatch', 'Agents can only change status on tasks assigned to them.');
  }
  if (sentFields(body).some((key) => !WORKER_FIELDS.has(key))) {
    throw taskForbidden('task_update_field_forbidden', 'Agents may only update status, comment, and custom field values.');
  }
}

// ── transitions ─────────────────────────────────────────────────────────────

/**
 * A lead moves work out of review (to done, or back to inbox for rework) and starts inbox work by
 * assigning it. Everything else about status is the workers' business.
 */
export function assertLeadStatusChange(current: TaskStatus, target: TaskStatus, assigning: boolean): void {
  if (current !== 'review') {
    if (current === 'inbox' && target === 'in_progress' && assigning) return;
    throw forbidden(
      'Lead status gate failed: board leads can only change status when the current task status is `review`, ' +
        `or move \`inbox\` → \`in_progress\` while assigning a worker (current: \`${current}\`).`,
    );
  }
  if (target !== 'done' && target !== 'inbox') {
    throw forbidden(`Lead status target gate failed: review tasks can only move to \`done\` or \`inbox\` (requested: \`${target}\`).`);
  }
}

/** Leaving work in progress remembers when it started, so "a comment since you started" can be checked. */
const parked = (state: TaskState): TaskState => ({
  ...state,
  assignedAgentId: null,
  previousInProgressAt: state.inProgressAt,
  inProgressAt: null,
});

/** A worker's status move: inbox/review release the task, in_progress/done take it. */
export function workerTransition(state: TaskState, target: TaskStatus, agentId: string, now: Date): TaskState {
  if (target === 'inbox' || target === 'review') return { ...parked(state), status: target };
  return { ...state, status: target, assignedAgentId: agentId, inProgressAt: target === 'in_progress' ? now : state.inProgressAt };
}

/**
 * The user's status move. A blocked task is forced back to an unassigned inbox (except a done
 * task staying done), so the board never shows blocked work as active.
 */
export function userTransition(
  state: TaskState,
  body: Pick<TaskUpdate, 'status' | 'assigned_agent_id'>,
  blocked: boolean,
  now: Date,
): TaskState {
  const requested = body.status ?? state.status;
  if (blocked && !(state.status === 'done' && requested === 'done')) {
    return { ...parked(state), status: 'inbox' };
  }
  let next: TaskState = state;
  if (body.status === 'inbox' || body.status === 'review') next = { ...parked(state), status: body.status };
  else if (body.status === 'in_progress') next = { ...state, status: 'in_progress', inProgressAt: now };
  else if (body.status === 'done') next = { ...state, status: 'done' };
  if (body.assigned_agent_id !== undefined) next = { ...next, assignedAgentId: body.assigned_agent_id };
  return next;
}

// ── board gates (every actor, in this order) ───────────────────────────────

export interface GateFacts {
  board: Pick<BoardRow, 'blockStatusChangesWithPendingApproval' | 'requireReviewBeforeDone' | 'requireApprovalForDone'>;
  previousStatus: TaskStatus;
  targetStatus: TaskStatus;
  statusRequested: boolean;
  /** Looked up only when a rule needs it. */
  hasPendingApproval: () => boolean;
  hasApprovedApproval: () => boolean;
}

export function assertBoardGates(f: GateFacts): void {
  const changing = f.previousStatus !== f.targetStatus;
  if (f.board.blockStatusChangesWithPendingApproval && f.statusRequested && changing && f.hasPendingApproval()) {
    throw gateError('Task status cannot be changed while a linked approval is pending.');
  }
  const finishing = f.previousStatus !== 'done' && f.targetStatus === 'done';
  if (finishing && f.board.requireReviewBeforeDone && f.previousStatus !== 'review') {
    throw gateError('Task can only be marked done from review when the board rule is enabled.');
  }
  if (finishing && f.board.requireApprovalForDone && !f.hasApprovedApproval()) {
    throw gateError('Task can only be marked done when a linked approval has been approved.');
  }
}

export const commentRequiredError = () => unprocessable('Comment is required.');

/** `task.status_changed` when the status moved, else `task.updated` (messages are matched by later queries). */
export function taskEvent(title: string, previous: TaskStatus, next: TaskStatus): { eventType: string; message: string } {
  return previous !== next
    ? { eventType: 'task.status_changed', message: `Task moved to ${next}: ${title}.` }
    : { eventType: 'task.updated', message: `Task updated: ${title}.` };
}

/** Prefix of the activity message that records who handed a task to review. */
export const MOVED_TO_REVIEW_PREFIX = 'Task moved to review:';

// ── who hears about it ──────────────────────────────────────────────────────

export interface NotificationPlan {
  /** The lead learns the task is back in an unassigned inbox. */
  backInInbox: boolean;
  /** The (new) assignee is told: plain assignment / review hand-off, or rework after a lead review. */
  assignee: 'assigned' | 'rework' | null;
  /** Presence bump of the assignee, recorded as `task.assignee_woken (<reason>)`. */
  wake: 'assignment' | 'status_in_progress' | null;
}

export function planNotifications(actor: ActorRole, before: TaskState, after: TaskState): NotificationPlan {
  const actorIsLead = actor.kind === 'agent' && actor.isLead;
  const backInInbox =
    !actorIsLead &&
    after.status === 'inbox' &&
    after.assignedAgentId === null &&
    (before.status !== 'inbox' || before.assignedAgentId !== null);

  let assignee: NotificationPlan['assignee'] = null;
  if (after.assignedAgentId !== null && after.assignedAgentId !== before.assignedAgentId) {
    if (actorIsLead && before.status === 'review' && after.status === 'inbox') assignee = 'rework';
    // Nobody is told about work they just took themselves.
    else if (!(actor.kind === 'agent' && actor.agentId === after.assignedAgentId)) assignee = 'assigned';
  }

  let wake: NotificationPlan['wake'] = null;
  if (assignee === 'assigned') wake = 'assignment';
  else if (
    after.status === 'in_progress' &&
    before.status !== 'in_progress' &&
    after.assignedAgentId !== null &&
    after.assignedAgentId === before.assignedAgentId
  ) {
    wake = 'status_in_progress';
  }
  return { backInInbox, assignee, wake };
}
