import { and, eq } from 'drizzle-orm';
import type { TaskStatus } from '../contract/common.js';
import type { DbOrTx } from '../db/open-db.js';
import { agents, tasks, type AgentRow, type BoardRow, type TaskRow } from '../db/schema.js';
import { enqueueAgentMessage, recordActivity } from '../core/activity-log.js';
import type { AgentService } from './agents.js';
import { assignmentMessage, backInInboxMessage, reworkMessage } from './task-messages.js';
import { dependentRows, latestCommentBy } from './task-queries.js';
import type { ActorRole, NotificationPlan } from './task-rules.js';

/*
 * Side effects of a task change that happen inside the same transaction as the change itself:
 * dependents reset, outbox messages for agents, and the assignee wake. Messages go to the durable
 * outbox; the gateway dispatcher delivers them.
 */

type Db = DbOrTx;

export interface EffectContext {
  tx: Db;
  now: Date;
  baseUrl: string;
  board: BoardRow;
  agents: AgentService;
}

export function boardLead(tx: Db, boardId: string): AgentRow | undefined {
  return tx
    .select()
    .from(agents)
    .where(and(eq(agents.boardId, boardId), eq(agents.isBoardLead, true)))
    .get();
}

function agentRow(tx: Db, id: string): AgentRow | undefined {
  return tx.select().from(agents).where(eq(agents.id, id)).get();
}

/**
 * When a task toggles done ↔ not done, its dependents are told. A reopened dependency sends
 * dependents that already started back to an unassigned inbox: their premise no longer holds.
 */
export function reconcileDependents(ec: EffectContext, task: TaskRow, previous: TaskStatus, actorAgentId: string | null): void {
  const wasDone = previous === 'done';
  if (wasDone === (task.status === 'done')) return;
  const reopened = wasDone;
  for (const dependent of dependentRows(ec.tx, task.id)) {
    if (dependent.status === 'done') continue;
    const pristine = dependent.status === 'inbox' && dependent.assignedAgentId === null && dependent.inProgressAt === null;
    if (reopened && !pristine) {
      ec.tx
        .update(tasks)
        .set({ status: 'inbox', assignedAgentId: null, inProgressAt: null, updatedAt: ec.now })
        .where(eq(tasks.id, dependent.id))
        .run();
      recordActivity(ec.tx, ec.now, {
        eventType: 'task.status_changed',
        message: `Task returned to inbox: dependency reopened (${task.title}).`,
        agentId: actorAgentId,
        taskId: dependent.id,
        boardId: dependent.boardId,
      });
    } else {
      recordActivity(ec.tx, ec.now, {
        eventType: 'task.updated',
        message: `Dependency completion changed: ${task.title}.`,
        agentId: actorAgentId,
        taskId: dependent.id,
        boardId: dependent.boardId,
      });
    }
  }
}

/**
 * The "wake" of the web edition: the assignee's presence is set online (it is about to be
 * messaged) and one `task.assignee_woken` event names the reason.
 */
export function wakeAssignee(ec: EffectContext, task: TaskRow, agent: AgentRow, reason: 'assignment' | 'status_in_progress'): void {
  ec.agents.touchPresence(agent);
  recordActivity(ec.tx, ec.now, {
    eventType: 'task.assignee_woken',
    message: `Assignee heartbeat set online (${reason}): ${agent.name}.`,
    agentId: agent.id,
    taskId: task.id,
    boardId: task.boardId,
  });
}

/** Carry out a notification plan for a task that has just been written. */
export function notifyTaskChange(ec: EffectContext, actor: ActorRole, task: TaskRow, plan: NotificationPlan): void {
  const base = { boardId: ec.board.id, taskId: task.id, deliver: false } as const;
  if (plan.backInInbox) {
    const lead = boardLead(ec.tx, ec.board.id);
    if (lead)
      enqueueAgentMessage(ec.tx, ec.now, {
        ...base,
        agentId: lead.id,
        kind: 'task.back_in_inbox',
        message: backInInboxMessage(ec.baseUrl, ec.board, task),
      });
  }
  const assignee = task.assignedAgentId ? agentRow(ec.tx, task.assignedAgentId) : undefined;
  if (!assignee) return;
  if (plan.wake) wakeAssignee(ec, task, assignee, plan.wake);
  if (plan.assignee === 'rework' && actor.kind === 'agent') {
    const feedback = latestCommentBy(ec.tx, task.id, actor.agentId);
    enqueueAgentMessage(ec.tx, ec.now, {
      ...base,
      agentId: assignee.id,
      kind: 'task.rework',
      message: reworkMessage(ec.baseUrl, ec.board, task, feedback),
    });
  } else if (plan.assignee === 'assigned') {
    const review = task.status === 'review' && assignee.isBoardLead;
    enqueueAgentMessage(ec.tx, ec.now, {
      ...base,
      agentId: assignee.id,
      kind: review ? 'task.review_ready' : 'task.assigned',
      message: assignmentMessage(ec.baseUrl, ec.board, task, assignee.isBoardLead),
    });
  }
}
