import { and, asc, desc, eq, gte, inArray, isNotNull, like, or, sql } from 'drizzle-orm';
import type { ApprovalStatus, TaskStatus } from '../contract/common.js';
import type { TaskRead } from '../contract/tasks.js';
import type { DbOrTx } from '../db/open-db.js';
import {
  activityEvents,
  agents,
  approvalTaskLinks,
  approvals,
  tagAssignments,
  tags,
  taskDependencies,
  tasks,
  type AgentRow,
  type TaskRow,
} from '../db/schema.js';
import { AppError } from '../errors.js';
import { newId } from '../core/ids.js';
import { extractMentions, matchesMention } from './mentions.js';
import { iso, isoOrNull } from './serialize.js';
import {
  MOVED_TO_REVIEW_PREFIX,
  assertDependencyShape,
  blockedBy,
  createsCycle,
  dedupe,
  dependencyCycleError,
  missingDependenciesError,
} from './task-rules.js';
import { rowid } from '../core/paging.js';

/*
 * Reads and small writes shared by the task and approval services. Every function takes the
 * database or the caller's transaction, so a multi-step write stays in one transaction.
 */

type Db = DbOrTx;
type TagRefValue = { id: string; name: string; slug: string; color: string };

/** Insertion order breaks ties between rows written in the same millisecond. */

/** `IN (…)` over bounded chunks, so a whole-board read never exceeds SQLite's variable limit. */
function chunks<T>(values: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export function dependencyIdsByTask(db: Db, taskIds: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of chunks(taskIds)) {
    const rows = db
      .select({ taskId: taskDependencies.taskId, dependsOn: taskDependencies.dependsOnTaskId })
      .from(taskDependencies)
      .where(inArray(taskDependencies.taskId, part))
      .orderBy(asc(taskDependencies.position))
      .all();
    for (const row of rows) map.set(row.taskId, [...(map.get(row.taskId) ?? []), row.dependsOn]);
  }
  return map;
}

export function statusById(db: Db, ids: readonly string[]): Map<string, TaskStatus> {
  const map = new Map<string, TaskStatus>();
  for (const part of chunks(dedupe(ids))) {
    for (const row of db.select({ id: tasks.id, status: tasks.status }).from(tasks).where(inArray(tasks.id, part)).all()) {
      map.set(row.id, row.status);
    }
  }
  return map;
}

export function tagRefsByTask(db: Db, taskIds: readonly string[]): Map<string, TagRefValue[]> {
  const map = new Map<string, TagRefValue[]>();
  for (const part of chunks(taskIds)) {
    const rows = db
      .select({ taskId: tagAssignments.taskId, id: tags.id, name: tags.name, slug: tags.slug, color: tags.color })
      .from(tagAssignments)
      .innerJoin(tags, eq(tags.id, tagAssignments.tagId))
      .where(inArray(tagAssignments.taskId, part))
      .orderBy(asc(tagAssignments.position))
      .all();
    for (const { taskId, ...ref } of rows) map.set(taskId, [...(map.get(taskId) ?? []), ref]);
  }
  return map;
}

/** A page of tasks in three extra queries (dependencies, their statuses, tags), never one per task. */
export function toTaskReads(db: Db, rows: readonly TaskRow[]): TaskRead[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const deps = dependencyIdsByTask(db, ids);
  const statuses = statusById(db, [...deps.values()].flat());
  const tagRefs = tagRefsByTask(db, ids);
  return rows.map((row) => {
    const dependsOn = deps.get(row.id) ?? [];
    const blocked = row.status === 'done' ? [] : blockedBy(dependsOn, statuses);
    const refs = tagRefs.get(row.id) ?? [];
    return {
      id: row.id,
      board_id: row.boardId,
      title: row.title,
      description: row.description,
      status: row.status,
      priority: row.priority,
      due_at: isoOrNull(row.dueAt),
      in_progress_at: isoOrNull(row.inProgressAt),
      previous_in_progress_at: isoOrNull(row.previousInProgressAt),
      created_by_user_id: row.createdByUserId,
      assigned_agent_id: row.assignedAgentId,
      auto_created: row.autoCreated,
      auto_reason: row.autoReason,
      depends_on_task_ids: dependsOn,
      blocked_by_task_ids: blocked,
      is_blocked: blocked.length > 0,
      tag_ids: refs.map((t) => t.id),
      tags: refs,
      custom_field_values: {},
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt),
    };
  });
}

/** Blocking dependencies of one task, given its (possibly just replaced) dependency list. */
export function blockedByIds(db: Db, dependencyIds: readonly string[]): string[] {
  return dependencyIds.length === 0 ? [] : blockedBy(dependencyIds, statusById(db, dependencyIds));
}

/**
 * De-duplicate, refuse self-dependencies (422), unknown or foreign tasks (404 with the ids) and
 * cycles through existing edges (409). Returns the list to store.
 */
export function validateDependencies(db: Db, boardId: string, taskId: string, requested: readonly string[]): string[] {
  const ids = dedupe(requested);
  assertDependencyShape(taskId, ids);
  if (ids.length === 0) return ids;
  const found = new Set(
    db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.boardId, boardId), inArray(tasks.id, ids)))
      .all()
      .map((r) => r.id),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw missingDependenciesError(missing);
  const edges = new Map<string, string[]>();
  const rows = db
    .select({ taskId: taskDependencies.taskId, dependsOn: taskDependencies.dependsOnTaskId })
    .from(taskDependencies)
    .where(eq(taskDependencies.boardId, boardId))
    .all();
  for (const row of rows) edges.set(row.taskId, [...(edges.get(row.taskId) ?? []), row.dependsOn]);
  if (createsCycle(taskId, ids, edges)) throw dependencyCycleError();
  return ids;
}

export function replaceDependencies(db: Db, boardId: string, taskId: string, ids: readonly string[], now: Date): void {
  db.delete(taskDependencies).where(eq(taskDependencies.taskId, taskId)).run();
  if (ids.length === 0) return;
  db.insert(taskDependencies)
    .values(ids.map((dependsOnTaskId, position) => ({ id: newId(), boardId, taskId, dependsOnTaskId, position, createdAt: now })))
    .run();
}

export function validateTagIds(db: Db, requested: readonly string[]): string[] {
  const ids = dedupe(requested);
  if (ids.length === 0) return ids;
  const found = new Set(
    db
      .select({ id: tags.id })
      .from(tags)
      .where(inArray(tags.id, ids))
      .all()
      .map((r) => r.id),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError('not_found', { message: 'One or more tags were not found.', missing_tag_ids: missing });
  return ids;
}

export function replaceTags(db: Db, taskId: string, ids: readonly string[], now: Date): void {
  db.delete(tagAssignments).where(eq(tagAssignments.taskId, taskId)).run();
  if (ids.length === 0) return;
  db.insert(tagAssignments)
    .values(ids.map((tagId, position) => ({ id: newId(), taskId, tagId, position, createdAt: now })))
    .run();
}

/** Approvals that concern a task: its primary task, or linked through `approval_task_links`. */
export const concernsTask = (taskId: string) =>
  or(
    eq(approvals.taskId, taskId),
    inArray(
      approvals.id,
      sql`(SELECT ${approvalTaskLinks.approvalId} FROM ${approvalTaskLinks} WHERE ${approvalTaskLinks.taskId} = ${taskId})`,
    ),
  );

export function hasApproval(db: Db, boardId: string, taskId: string, status: ApprovalStatus): boolean {
  const row = db
    .select({ id: approvals.id })
    .from(approvals)
    .where(and(eq(approvals.boardId, boardId), eq(approvals.status, status), concernsTask(taskId)))
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * The worker a lead's "back to inbox" returns the task to: the latest non-lead agent of this board
 * that moved it to review, read from the activity feed as the web edition does.
 */
export function lastReviewSubmitter(db: Db, taskId: string, boardId: string): string | null {
  const row = db
    .select({ agentId: activityEvents.agentId })
    .from(activityEvents)
    .innerJoin(agents, eq(agents.id, activityEvents.agentId))
    .where(
      and(
        eq(activityEvents.taskId, taskId),
        eq(activityEvents.eventType, 'task.status_changed'),
        like(activityEvents.message, `${MOVED_TO_REVIEW_PREFIX}%`),
        isNotNull(activityEvents.agentId),
        eq(agents.boardId, boardId),
        eq(agents.isBoardLead, false),
      ),
    )
    .orderBy(desc(activityEvents.createdAt), desc(rowid(activityEvents)))
    .limit(1)
    .get();
  return row?.agentId ?? null;
}

const commentsOf = (taskId: string) => and(eq(activityEvents.taskId, taskId), eq(activityEvents.eventType, 'task.comment'));

export function latestCommentBy(db: Db, taskId: string, agentId: string, since?: Date | null): string | null {
  const row = db
    .select({ message: activityEvents.message })
    .from(activityEvents)
    .where(and(commentsOf(taskId), eq(activityEvents.agentId, agentId), since ? gte(activityEvents.createdAt, since) : undefined))
    .orderBy(desc(activityEvents.createdAt), desc(rowid(activityEvents)))
    .limit(1)
    .get();
  return row?.message ?? null;
}

export function leadWasMentioned(db: Db, taskId: string, lead: AgentRow): boolean {
  const rows = db.select({ message: activityEvents.message }).from(activityEvents).where(commentsOf(taskId)).all();
  return rows.some((r) => r.message !== null && matchesMention(lead, extractMentions(r.message)));
}

export function dependentRows(db: Db, taskId: string): TaskRow[] {
  return db
    .select()
    .from(tasks)
    .where(
      inArray(
        tasks.id,
        sql`(SELECT ${taskDependencies.taskId} FROM ${taskDependencies} WHERE ${taskDependencies.dependsOnTaskId} = ${taskId})`,
      ),
    )
    .all();
}
