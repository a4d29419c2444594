import { createStore } from 'zustand/vanilla';
import type { AgentRead } from '../../../../backend/contract/agents.js';
import type { ApprovalRead } from '../../../../backend/contract/approvals.js';
import type { BoardRead } from '../../../../backend/contract/boards.js';
import type { TaskStatus } from '../../../../backend/contract/common.js';
import type { BoardMemoryRead } from '../../../../backend/contract/memory.js';
import type { TaskCommentRead, TaskCreate, TaskRead, TaskUpdate } from '../../../../backend/contract/tasks.js';
import type { z } from 'zod';
import type { ApiClient } from '../api/client.js';

/** A move the board refused, kept on screen until dismissed: the gate's own words. */
export interface Refusal {
  taskId: string;
  taskTitle: string;
  target: TaskStatus;
  message: string;
}

export interface BoardState {
  boardId: string | null;
  board: BoardRead | null;
  tasks: TaskRead[];
  agents: AgentRead[];
  approvals: ApprovalRead[];
  chat: BoardMemoryRead[];
  loading: boolean;
  error: string | null;
  refusal: Refusal | null;
  comments: Record<string, TaskCommentRead[]>;

  load(boardId: string): Promise<void>;
  /** Re-read in place (live view); nothing is cleared first, so nothing jumps. */
  reload(): Promise<void>;
  createTask(body: z.input<typeof TaskCreate>): Promise<TaskRead>;
  /**
   * Move a task to another column. The card moves at once; if the board refuses (a gate, a rule)
   * it goes back and `refusal` says why, in the gate's words. Resolves true when it stuck.
   */
  moveTask(taskId: string, target: TaskStatus): Promise<boolean>;
  updateTask(taskId: string, body: z.input<typeof TaskUpdate>): Promise<boolean>;
  deleteTask(taskId: string): Promise<void>;
  loadComments(taskId: string): Promise<void>;
  addComment(taskId: string, message: string): Promise<void>;
  requestApproval(taskId: string): Promise<void>;
  resolveApproval(approvalId: string, status: 'approved' | 'rejected'): Promise<void>;
  sendChat(content: string): Promise<void>;
  applyAgent(agent: AgentRead): void;
  dismissRefusal(): void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : 'The request failed.');

export function replaceTask(tasks: TaskRead[], task: TaskRead): TaskRead[] {
  const i = tasks.findIndex((t) => t.id === task.id);
  if (i < 0) return [task, ...tasks];
  const next = tasks.slice();
  next[i] = task;
  return next;
}

/** Tasks per column, each column newest first (the API's order). */
export function groupByStatus(tasks: TaskRead[]): Record<TaskStatus, TaskRead[]> {
  const out: Record<TaskStatus, TaskRead[]> = { inbox: [], in_progress: [], review: [], done: [] };
  for (const t of tasks) out[t.status].push(t);
  return out;
}

export function createBoardStore(api: ApiClient) {
  return createStore<BoardState>()((set, get) => {
    const params = () => ({ board_id: get().boardId ?? '' });
    // The snapshot carries every task of the board, its agents, approvals and the chat (oldest first).
    const readSnapshot = (boardId: string) => api('boardSnapshot', { params: { board_id: boardId } });
    let inFlight: { boardId: string; done: Promise<void> } | null = null;
    const readInto = async (boardId: string) => {
      try {
        const snap = await readSnapshot(boardId);
        if (get().boardId !== boardId) return;
        set({
          board: snap.board,
          tasks: snap.tasks,
          agents: snap.agents,
          approvals: snap.approvals,
          chat: snap.chat_messages,
          loading: false,
          error: null,
        });
      } catch (err) {
        if (get().boardId === boardId) set({ loading: false, error: errorText(err) });
      }
    };
    return {
      boardId: null,
      board: null,
      tasks: [],
      agents: [],
      approvals: [],
      chat: [],
      loading: false,
      error: null,
      refusal: null,
      comments: {},

      load(boardId) {
        // One read at a time per board: a second caller (the page mounting while the start-up
        // prefetch is on its way, a reload tick during a slow read) shares the read in flight.
        if (inFlight?.boardId === boardId && get().boardId === boardId) return inFlight.done;
        if (get().boardId !== boardId) {
          set({ boardId, board: null, tasks: [], agents: [], approvals: [], chat: [], comments: {}, refusal: null, error: null });
        }
        // Nothing on screen yet: an earlier failure (say, a prefetch before sign-in) is not shown while this read runs.
        set(get().board ? { loading: true } : { loading: true, error: null });
        const done = readInto(boardId).finally(() => {
          if (inFlight?.done === done) inFlight = null;
        });
        inFlight = { boardId, done };
        return done;
      },

      async reload() {
        const id = get().boardId;
        if (id) await get().load(id);
      },

      async createTask(body) {
        const task = await api('createTask', { params: params(), body });
        set({ tasks: replaceTask(get().tasks, task) });
        return task;
      },

      async moveTask(taskId, target) {
        const before = get().tasks.find((t) => t.id === taskId);
        if (!before || before.status === target) return true;
        set({ tasks: replaceTask(get().tasks, { ...before, status: target }), refusal: null });
        try {
          const task = await api('updateTask', { params: { ...params(), task_id: taskId }, body: { status: target } });
          set({ tasks: replaceTask(get().tasks, task) });
          return true;
        } catch (err) {
          const current = get().tasks.find((t) => t.id === taskId);
          set({
            tasks: current ? replaceTask(get().tasks, { ...current, status: before.status }) : get().tasks,
            refusal: { taskId, taskTitle: before.title, target, message: errorText(err) },
          });
          return false;
        }
      },

      async updateTask(taskId, body) {
        const before = get().tasks.find((t) => t.id === taskId);
        try {
          const task = await api('updateTask', { params: { ...params(), task_id: taskId }, body });
          set({ tasks: replaceTask(get().tasks, task), refusal: null });
          return true;
        } catch (err) {
          set({ refusal: { taskId, taskTitle: before?.title ?? 'Task', target: before?.status ?? 'inbox', message: errorText(err) } });
          return false;
        }
      },

      async deleteTask(taskId) {
        await api('deleteTask', { params: { ...params(), task_id: taskId } });
        set({ tasks: get().tasks.filter((t) => t.id !== taskId) });
      },

      async loadComments(taskId) {
        const res = await api('listTaskComments', { params: { ...params(), task_id: taskId } });
        set({ comments: { ...get().comments, [taskId]: res.items } });
      },

      async addComment(taskId, message) {
        const comment = await api('createTaskComment', { params: { ...params(), task_id: taskId }, body: { message } });
        set({ comments: { ...get().comments, [taskId]: [...(get().comments[taskId] ?? []), comment] } });
      },

      async requestApproval(taskId) {
        const approval = await api('createApproval', {
          params: params(),
          body: { action_type: 'mark_done', confidence: 100, task_id: taskId, payload: { reason: 'Requested from the board' } },
        });
        set({ approvals: [approval, ...get().approvals] });
      },

      async resolveApproval(approvalId, status) {
        const approval = await api('resolveApproval', { params: { ...params(), approval_id: approvalId }, body: { status } });
        set({ approvals: get().approvals.map((a) => (a.id === approval.id ? approval : a)) });
      },

      async sendChat(content) {
        const msg = await api('createBoardMemory', { params: params(), body: { content, tags: ['chat'], source: 'user' } });
        set({ chat: [...get().chat, msg] });
      },

      applyAgent(agent) {
        if (agent.board_id !== get().boardId) return;
        const i = get().agents.findIndex((a) => a.id === agent.id);
        const agents = get().agents.slice();
        if (i < 0) agents.push(agent);
        else agents[i] = agent;
        set({ agents });
      },

      dismissRefusal() {
        set({ refusal: null });
      },
    };
  });
}

export type BoardStore = ReturnType<typeof createBoardStore>;
