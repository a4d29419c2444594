import { and, asc, count, desc, eq, inArray, ne, or } from 'drizzle-orm';
import type { ApprovalCreate, ApprovalRead } from '../contract/approvals.js';
import type { ApprovalStatus, PageQuery } from '../contract/common.js';
import type { DbOrTx } from '../db/open-db.js';
import { agents, approvalTaskLinks, approvals, tasks, type ApprovalRow, type BoardRow } from '../db/schema.js';
import { AppError, conflict, forbidden, notFound, unprocessable } from '../errors.js';
import { enqueueAgentMessage } from '../core/activity-log.js';
import type { Actor } from './actor.js';
import { actorFieldRefused } from './actor-fields.js';
import type { AgentService } from './agents.js';
import type { BoardService } from './boards.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { iso, isoOrNull } from './serialize.js';
import { boardLead } from './task-effects.js';
import { approvalResolvedMessage } from './task-messages.js';
import { dedupe } from './task-rules.js';
import type { TaskService } from './tasks.js';
import { pageOf, rowid } from '../core/paging.js';
import { Id } from '../contract/common.js';

export interface ApprovalServiceDeps {
  baseUrl: string;
  agents: AgentService;
  boards: BoardService;
  tasks: TaskService;
}

type Db = DbOrTx;

const asUuid = (v: unknown): string[] => (Id.safeParse(v).success ? [(v as string).toLowerCase()] : []);

/**
 * Every task an approval concerns, in order: `task_id`, then `task_ids`, then the task references
 * agents put in the payload (`task_ids`/`taskIds`/`taskIDs`, `task_id`/`taskId`/`taskID`).
 */
export function approvalTaskIds(input: Pick<ApprovalCreate, 'task_id' | 'task_ids' | 'payload'>): string[] {
  const payload = input.payload ?? {};
  const fromPayload = [
    ...['task_ids', 'taskIds', 'taskIDs'].flatMap((k) => (Array.isArray(payload[k]) ? (payload[k] as unknown[]).flatMap(asUuid) : [])),
    ...['task_id', 'taskId', 'taskID'].flatMap((k) => asUuid(payload[k])),
  ];
  return dedupe([...(input.task_id ? [input.task_id] : []), ...input.task_ids, ...fromPayload]);
}

/** The reason an approval is asked for: `payload.reason`, `payload.decision.reason` or `lead_reasoning`. */
export function approvalReason(input: Pick<ApprovalCreate, 'payload' | 'lead_reasoning'>): string | null {
  const payload = input.payload ?? {};
  const direct = payload.reason;
  if (typeof direct === 'string' && direct.trim()) return direct.trim();
  const decision = payload.decision;
  if (decision && typeof decision === 'object' && !Array.isArray(decision)) {
    const nested = (decision as Record<string, unknown>).reason;
    if (typeof nested === 'string' && nested.trim()) return nested.trim();
  }
  return input.lead_reasoning?.trim() || null;
}

/** The first pending approval per task among `taskIds` (excluding one approval being re-opened). */
function pendingConflicts(db: Db, boardId: string, taskIds: readonly string[], exceptId?: string) {
  if (taskIds.length === 0) return [];
  const rows = db
    .select({ approvalId: approvals.id, primary: approvals.taskId, linked: approvalTaskLinks.taskId })
    .from(approvals)
    .leftJoin(approvalTaskLinks, eq(approvalTaskLinks.approvalId, approvals.id))
    .where(
      and(
        eq(approvals.boardId, boardId),
        eq(approvals.status, 'pending'),
        exceptId ? ne(approvals.id, exceptId) : undefined,
        or(inArray(approvals.taskId, [...taskIds]), inArray(approvalTaskLinks.taskId, [...taskIds])),
      ),
    )
    .orderBy(asc(approvals.createdAt), asc(rowid(approvals)))
    .all();
  const byTask = new Map<string, string>();
  for (const row of rows) {
    for (const taskId of [row.linked, row.primary]) {
      if (taskId && taskIds.includes(taskId) && !byTask.has(taskId)) byTask.set(taskId, row.approvalId);
    }
  }
  return [...byTask].sort(([a], [b]) => a.localeCompare(b)).map(([task_id, approval_id]) => ({ task_id, approval_id }));
}

function assertNoPendingConflict(db: Db, boardId: string, taskIds: readonly string[], exceptId?: string): void {
  const conflicts = pendingConflicts(db, boardId, taskIds, exceptId);
  if (conflicts.length > 0) throw conflict({ message: 'Each task can have only one pending approval.', conflicts });
}

/** Approvals with their linked tasks and titles, in two queries for the whole page. */
function toApprovalReads(db: Db, rows: readonly ApprovalRow[]): ApprovalRead[] {
  if (rows.length === 0) return [];
  const links = db
    .select({ approvalId: approvalTaskLinks.approvalId, taskId: approvalTaskLinks.taskId, title: tasks.title })
    .from(approvalTaskLinks)
    .innerJoin(tasks, eq(tasks.id, approvalTaskLinks.taskId))
    .where(
      inArray(
        approvalTaskLinks.approvalId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(approvalTaskLinks.position))
    .all();
  return rows.map((row) => {
    const own = links.filter((l) => l.approvalId === row.id);
    return {
      id: row.id,
      board_id: row.boardId,
      task_id: own[0]?.taskId ?? row.taskId,
      task_ids: own.map((l) => l.taskId),
      task_titles: own.map((l) => l.title),
      agent_id: row.agentId,
      action_type: row.actionType,
      payload: row.payload ?? null,
      confidence: row.confidence,
      rubric_scores: row.rubricScores ?? null,
      status: row.status,
      created_at: iso(row.createdAt),
      resolved_at: isoOrNull(row.resolvedAt),
    };
  });
}

/** Human approvals of agent actions (reference §1.15, §2.3): one pending approval per task. */
export function createApprovalService(ctx: ServiceContext, deps: ApprovalServiceDeps) {
  const { db } = ctx;
  const byBoard = (boardId: string, status?: ApprovalStatus) =>
    and(eq(approvals.boardId, boardId), status ? eq(approvals.status, status) : undefined);

  return {
    list(boardId: string, query: PageQuery & { status?: ApprovalStatus | undefined }) {
      const where = byBoard(boardId, query.status);
      const total = db.select({ n: count() }).from(approvals).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(approvals)
        .where(where)
        .orderBy(desc(approvals.createdAt), desc(rowid(approvals)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(toApprovalReads(db, rows), total, query);
    },

    pendingCount: (boardId: string): number => db.select({ n: count() }).from(approvals).where(byBoard(boardId, 'pending')).get()?.n ?? 0,

    /**
     * Agents must say why (422 "lead reasoning is required") and may only ask, never decide: an
     * agent creating an already-approved approval would open its own done gate. The user is the
     * approver, so a reason is optional for the user. `lead_reasoning` is stored as `payload.reason`.
     */
    create(board: BoardRow, actor: Actor, input: ApprovalCreate): ApprovalRead {
      const leadReasoning = input.lead_reasoning?.trim();
      const payloadHasReason = approvalReason({ payload: input.payload, lead_reasoning: null }) !== null;
      const payload = !payloadHasReason && leadReasoning ? { ...(input.payload ?? {}), reason: leadReasoning } : (input.payload ?? null);
      if (actor.kind === 'agent') {
        if (!payloadHasReason && !leadReasoning) throw unprocessable('lead reasoning is required');
        if (input.status !== 'pending') throw forbidden('Agents can only request approvals; the user approves or rejects them.');
        // The requester is the calling agent (its token), never another agent named in the body.
        if (input.agent_id && input.agent_id !== actor.agent.id)
          throw actorFieldRefused(
            'agent_id',
            `an agent requests approvals as itself; leave it out or send your own id (${actor.agent.id}).`,
          );
      }
      // The requester: the calling agent; the user may name the agent an approval concerns.
      const agentId = actor.kind === 'agent' ? actor.agent.id : (input.agent_id ?? null);
      const taskIds = approvalTaskIds(input);
      const now = ctx.now();
      const row = db.transaction((tx) => {
        if (agentId && !tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).get()) throw notFound('Agent');
        if (taskIds.length > 0) {
          const found = new Set(
            tx
              .select({ id: tasks.id })
              .from(tasks)
              .where(and(eq(tasks.boardId, board.id), inArray(tasks.id, taskIds)))
              .all()
              .map((t) => t.id),
          );
          const missing = taskIds.filter((id) => !found.has(id));
          if (missing.length > 0) {
            throw new AppError('not_found', { message: 'One or more tasks were not found on this board.', missing_task_ids: missing });
          }
        }
        if (input.status === 'pending') assertNoPendingConflict(tx, board.id, taskIds);
        const created = tx
          .insert(approvals)
          .values({
            id: newId(),
            boardId: board.id,
            taskId: taskIds[0] ?? null,
            agentId,
            actionType: input.action_type,
            payload,
            confidence: input.confidence,
            rubricScores: input.rubric_scores ?? null,
            status: input.status,
            createdAt: now,
            resolvedAt: input.status === 'pending' ? null : now,
          })
          .returning()
          .get();
        if (taskIds.length > 0) {
          tx.insert(approvalTaskLinks)
            .values(taskIds.map((taskId, position) => ({ id: newId(), approvalId: created.id, taskId, position, createdAt: now })))
            .run();
        }
        return created;
      });
      return toApprovalReads(db, [row])[0] as ApprovalRead;
    },

    /** The user decides. Re-opening to pending must not create a second pending approval for a task. */
    resolve(board: BoardRow, approvalId: string, status: ApprovalStatus): ApprovalRead {
      const now = ctx.now();
      const row = db.transaction((tx) => {
        const current = tx
          .select()
          .from(approvals)
          .where(and(eq(approvals.id, approvalId), eq(approvals.boardId, board.id)))
          .get();
        if (!current) throw notFound('Approval');
        if (current.status === status) return current;
        const taskIds = tx
          .select({ taskId: approvalTaskLinks.taskId })
          .from(approvalTaskLinks)
          .where(eq(approvalTaskLinks.approvalId, current.id))
          .orderBy(asc(approvalTaskLinks.position))
          .all()
          .map((l) => l.taskId);
        if (taskIds.length === 0 && current.taskId) taskIds.push(current.taskId);
        if (status === 'pending') assertNoPendingConflict(tx, board.id, taskIds, current.id);
        const updated =
          tx
            .update(approvals)
            .set({ status, resolvedAt: status === 'pending' ? null : now })
            .where(eq(approvals.id, current.id))
            .returning()
            .get() ?? current;
        const lead = status === 'pending' ? undefined : boardLead(tx, board.id);
        if (lead) {
          enqueueAgentMessage(tx, now, {
            agentId: lead.id,
            kind: 'approval.resolved',
            message: approvalResolvedMessage(deps.baseUrl, board, updated, taskIds),
            boardId: board.id,
            taskId: updated.taskId,
          });
        }
        return updated;
      });
      return toApprovalReads(db, [row])[0] as ApprovalRead;
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
