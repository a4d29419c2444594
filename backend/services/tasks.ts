import { and, asc, count, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { PageQuery, TaskStatus } from '../contract/common.js';
import type { TaskCommentRead, TaskCreate, TaskRead, TaskUpdate } from '../contract/tasks.js';
import { activityEvents, agentMessages, agents, approvalTaskLinks, approvals, tasks, type AgentRow, type BoardRow } from '../db/schema.js';
import { forbidden } from '../errors.js';
import { enqueueAgentMessage, recordActivity } from '../core/activity-log.js';
import type { Actor } from './actor.js';
import { actorFieldRefused } from './actor-fields.js';
import type { AgentService } from './agents.js';
import type { BoardService } from './boards.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { extractMentions, matchesMention } from './mentions.js';
import { toCommentRead } from './serialize.js';
import { boardLead, notifyTaskChange, type EffectContext } from './task-effects.js';
import { commentMessage, newTaskMessage } from './task-messages.js';
import {
  blockedByIds,
  leadWasMentioned,
  replaceDependencies,
  replaceTags,
  toTaskReads,
  validateDependencies,
  validateTagIds,
} from './task-queries.js';
import { ONLY_LEADS, assertBoardGates, blockedError } from './task-rules.js';
import { applyTaskUpdate, resolveAssignee, taskOnBoard } from './task-update.js';
import { pageOf, rowid } from '../core/paging.js';

export interface TaskServiceDeps {
  baseUrl: string;
  agents: AgentService;
  boards: BoardService;
}

export interface TaskListQuery extends PageQuery {
  status?: TaskStatus[] | undefined;
  assigned_agent_id?: string | undefined;
  unassigned?: boolean | undefined;
}

type Creator = { kind: 'user' } | { kind: 'lead'; lead: AgentRow };

/** Tasks, their comments and the state machine (reference §2.3, §2.7). */
export function createTaskService(ctx: ServiceContext, deps: TaskServiceDeps) {
  const { db } = ctx;
  const effects = (tx: EffectContext['tx'], now: Date, board: BoardRow): EffectContext => ({
    tx,
    now,
    baseUrl: deps.baseUrl,
    board,
    agents: deps.agents,
  });
  const readOne = (row: Parameters<typeof toTaskReads>[1][number]): TaskRead => toTaskReads(db, [row])[0] as TaskRead;

  function insert(board: BoardRow, input: TaskCreate, creator: Creator): TaskRead {
    const now = ctx.now();
    const id = newId();
    const row = db.transaction((tx) => {
      const dependencyIds = validateDependencies(tx, board.id, id, input.depends_on_task_ids);
      const tagIds = validateTagIds(tx, input.tag_ids);
      const assignee = input.assigned_agent_id ?? null;
      const blocked = blockedByIds(tx, dependencyIds);
      if (blocked.length > 0 && (assignee !== null || input.status !== 'inbox')) throw blockedError(blocked);
      resolveAssignee(tx, board, assignee, creator.kind === 'lead');
      if (creator.kind === 'lead') {
        // A lead cannot create work that is already done: that would skip the board's done gates.
        assertBoardGates({
          board,
          previousStatus: 'inbox',
          targetStatus: input.status,
          statusRequested: false,
          hasPendingApproval: () => false,
          hasApprovedApproval: () => false,
        });
      }
      const created = tx
        .insert(tasks)
        .values({
          id,
          boardId: board.id,
          title: input.title,
          description: input.description ?? null,
          status: input.status,
          priority: input.priority,
          dueAt: input.due_at ? new Date(input.due_at) : null,
          inProgressAt: input.status === 'in_progress' ? now : null,
          createdByUserId: input.created_by_user_id ?? null,
          assignedAgentId: assignee,
          autoCreated: creator.kind === 'lead',
          autoReason: creator.kind === 'lead' ? `lead_agent:${creator.lead.id}` : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      replaceDependencies(tx, board.id, id, dependencyIds, now);
      replaceTags(tx, id, tagIds, now);
      const agentId = creator.kind === 'lead' ? creator.lead.id : null;
      recordActivity(tx, now, {
        eventType: 'task.created',
        message: `Task created: ${created.title}.`,
        agentId,
        taskId: id,
        boardId: board.id,
      });
      const ec = effects(tx, now, board);
      const lead = creator.kind === 'user' ? boardLead(tx, board.id) : undefined;
      if (lead) {
        enqueueAgentMessage(tx, now, {
          agentId: lead.id,
          kind: 'task.created',
          message: newTaskMessage(deps.baseUrl, board, created),
          boardId: board.id,
          taskId: id,
        });
      }
      const role =
        creator.kind === 'lead' ? ({ kind: 'agent', agentId: creator.lead.id, isLead: true } as const) : ({ kind: 'user' } as const);
      const assigned = assignee !== null;
      notifyTaskChange(ec, role, created, {
        backInInbox: false,
        assignee: assigned ? 'assigned' : null,
        wake: assigned ? 'assignment' : null,
      });
      return created;
    });
    return readOne(row);
  }

  function requireLead(agent: AgentRow, board: BoardRow): AgentRow {
    if (!agent.isBoardLead || agent.boardId !== board.id) throw forbidden(ONLY_LEADS);
    return agent;
  }

  return {
    list(boardId: string, query: TaskListQuery) {
      const where = and(
        eq(tasks.boardId, boardId),
        query.status && query.status.length > 0 ? inArray(tasks.status, query.status) : undefined,
        query.assigned_agent_id ? eq(tasks.assignedAgentId, query.assigned_agent_id) : undefined,
        query.unassigned ? isNull(tasks.assignedAgentId) : undefined,
      );
      const total = db.select({ n: count() }).from(tasks).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(tasks)
        .where(where)
        .orderBy(desc(tasks.createdAt), desc(rowid(tasks)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(toTaskReads(db, rows), total, query);
    },

    /** Every task of a board, newest first (the board snapshot). */
    boardTasks(boardId: string): TaskRead[] {
      return toTaskReads(
        db,
        db
          .select()
          .from(tasks)
          .where(eq(tasks.boardId, boardId))
          .orderBy(desc(tasks.createdAt), desc(rowid(tasks)))
          .all(),
      );
    },

    get: (boardId: string, taskId: string): TaskRead => readOne(taskOnBoard(db, boardId, taskId)),

    create: (board: BoardRow, input: TaskCreate): TaskRead => insert(board, input, { kind: 'user' }),

    /** A lead's task is the lead's (`auto_reason`); it cannot be passed off as a user's (`created_by_user_id`). */
    createByLead: (agent: AgentRow, board: BoardRow, input: TaskCreate): TaskRead => {
      const lead = requireLead(agent, board);
      if (input.created_by_user_id)
        throw actorFieldRefused('created_by_user_id', 'a task an agent creates is that agent’s (auto_reason); leave it out.');
      return insert(board, input, { kind: 'lead', lead });
    },

    update(board: BoardRow, taskId: string, actor: Actor, body: TaskUpdate): TaskRead {
      const now = ctx.now();
      const row = db.transaction((tx) =>
        applyTaskUpdate({ ...effects(tx, now, board), actor, task: taskOnBoard(tx, board.id, taskId), body }),
      );
      return readOne(row);
    },

    /**
     * Dependencies, tags, links and the task's activity go with it (cascades). An approval whose
     * primary task this was moves to its next linked task, or goes when it has none left.
     */
    delete(boardId: string, taskId: string): void {
      db.transaction((tx) => {
        taskOnBoard(tx, boardId, taskId);
        for (const approval of tx.select({ id: approvals.id }).from(approvals).where(eq(approvals.taskId, taskId)).all()) {
          const next = tx
            .select({ taskId: approvalTaskLinks.taskId })
            .from(approvalTaskLinks)
            .where(and(eq(approvalTaskLinks.approvalId, approval.id), ne(approvalTaskLinks.taskId, taskId)))
            .orderBy(asc(approvalTaskLinks.position))
            .limit(1)
            .get();
          if (next) tx.update(approvals).set({ taskId: next.taskId }).where(eq(approvals.id, approval.id)).run();
          else tx.delete(approvals).where(eq(approvals.id, approval.id)).run();
        }
        tx.delete(tasks).where(eq(tasks.id, taskId)).run();
      });
    },

    deleteByLead(agent: AgentRow, board: BoardRow, taskId: string): void {
      requireLead(agent, board);
      this.delete(board.id, taskId);
    },

    listComments(boardId: string, taskId: string, query: PageQuery) {
      taskOnBoard(db, boardId, taskId);
      const where = and(eq(activityEvents.taskId, taskId), eq(activityEvents.eventType, 'task.comment'));
      const total = db.select({ n: count() }).from(activityEvents).where(where).get()?.n ?? 0;
      const rows = db
        .select()
        .from(activityEvents)
        .where(where)
        .orderBy(asc(activityEvents.createdAt), asc(rowid(activityEvents)))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(toCommentRead), total, query);
    },

    /**
     * Leads comment during review, when mentioned, or on their own tasks. @mentioned agents are
     * told; without mentions the assignee is; the author never is.
     */
    createComment(board: BoardRow, taskId: string, actor: Actor, message: string): TaskCommentRead {
      const now = ctx.now();
      const author = actor.kind === 'agent' ? actor.agent : null;
      return db.transaction((tx) => {
        const task = taskOnBoard(tx, board.id, taskId);
        if (
          author?.isBoardLead &&
          task.status !== 'review' &&
          task.autoReason !== `lead_agent:${author.id}` &&
          !leadWasMentioned(tx, task.id, author)
        ) {
          throw forbidden('Board leads can only comment during review, when mentioned, or on tasks they created.');
        }
        const row = recordActivity(tx, now, { eventType: 'task.comment', message, agentId: author?.id ?? null, taskId, boardId: board.id });
        const mentions = extractMentions(message);
        const targets =
          mentions.size > 0
            ? tx
                .select()
                .from(agents)
                .where(eq(agents.boardId, board.id))
                .all()
                .filter((a) => matchesMention(a, mentions))
            : task.assignedAgentId
              ? tx.select().from(agents).where(eq(agents.id, task.assignedAgentId)).all()
              : [];
        for (const target of targets) {
          if (target.id === author?.id) continue;
          const mentioned = matchesMention(target, mentions);
          enqueueAgentMessage(tx, now, {
            agentId: target.id,
            kind: mentioned ? 'task.comment_mention' : 'task.comment',
            message: commentMessage(deps.baseUrl, board, task, author?.name ?? 'User', message, mentioned),
            boardId: board.id,
            taskId,
          });
        }
        return toCommentRead(row);
      });
    },

    /** The agent's outbox, oldest first: what the backend has queued to tell it. */
    outboxFor(agentId: string) {
      return db
        .select({
          kind: agentMessages.kind,
          message: agentMessages.message,
          task_id: agentMessages.taskId,
          board_id: agentMessages.boardId,
          status: agentMessages.status,
        })
        .from(agentMessages)
        .where(eq(agentMessages.agentId, agentId))
        .orderBy(asc(agentMessages.createdAt), asc(rowid(agentMessages)))
        .all();
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
