import type { AgentRead } from '../../../backend/contract/agents.js';
import type { TaskStatus } from '../../../backend/contract/common.js';

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Seconds left until `iso` (never negative), or null when there is no deadline. */
export function secondsLeft(iso: string | null, now: number): number | null {
  if (!iso) return null;
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}

export interface Ladder {
  /** "2/3", or null when no wake is outstanding and none failed. */
  label: string | null;
  /** Seconds until the current wake's check-in deadline, null when none runs. */
  deadlineIn: number | null;
  /** The ladder ran out: every wake went unanswered. */
  exhausted: boolean;
}

/** The fast-convergence ladder as a person reads it: which wake this is, and how long it has left. */
export function wakeLadder(
  agent: Pick<AgentRead, 'wake_attempts' | 'checkin_deadline_at' | 'status'>,
  maxAttempts: number,
  now: number,
): Ladder {
  if (agent.wake_attempts <= 0) return { label: null, deadlineIn: null, exhausted: false };
  return {
    label: `${agent.wake_attempts}/${maxAttempts}`,
    deadlineIn: secondsLeft(agent.checkin_deadline_at, now),
    exhausted: agent.checkin_deadline_at === null && agent.status === 'offline' && agent.wake_attempts >= maxAttempts,
  };
}

export type AgentRole = 'gateway main' | 'lead' | 'worker';
export const roleOf = (a: Pick<AgentRead, 'is_gateway_main' | 'is_board_lead'>): AgentRole =>
  a.is_gateway_main ? 'gateway main' : a.is_board_lead ? 'lead' : 'worker';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export function agentTone(status: string): Tone {
  if (status === 'online') return 'ok';
  if (status === 'offline') return 'bad';
  if (status === 'provisioning' || status === 'updating') return 'warn';
  if (status === 'deleting') return 'muted';
  return 'info';
}

export const COLUMNS: { status: TaskStatus; title: string }[] = [
  { status: 'inbox', title: 'Inbox' },
  { status: 'in_progress', title: 'In progress' },
  { status: 'review', title: 'Review' },
  { status: 'done', title: 'Done' },
];

export const statusTitle = (s: TaskStatus): string => COLUMNS.find((c) => c.status === s)?.title ?? s;

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A lifecycle event name as a short human phrase (the raw name stays visible next to it). */
export function describeEvent(event: string): string {
  const known: Record<string, string> = {
    'lifecycle.wake.sent': 'Woken',
    'lifecycle.wake.failed': 'Wake failed',
    'lifecycle.queue.enqueued': 'Check-in deadline set, check queued',
    'lifecycle.reconcile.deferred': 'Checked early: waiting for the deadline',
    'queue.worker.success': 'Lifecycle task done',
    'lifecycle.wake.joined': 'Operator wake joined a retry',
    'lifecycle.reconcile.retriggered': 'No check-in: woken again',
    'lifecycle.reconcile.max_attempts_reached': 'Gave up: marked offline',
    'lifecycle.reconcile.skip_not_stuck': 'Check found it checked in',
    'lifecycle.reconcile.skip_stale_generation': 'Retry dropped (newer action)',
    'lifecycle.checkin': 'Checked in',
  };
  if (known[event]) return known[event];
  const last = event.split('.').slice(-1)[0] ?? event;
  return last.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** `1 agent`, `3 agents`; `many` for an irregular plural. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
