import { memo, useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import type { TaskStatus } from '../../../../backend/contract/common';
import type { TaskRead } from '../../../../backend/contract/tasks';
import { Icon } from '../../ui/icons';
import { Alert, Empty, PageHeader, Pill, Spinner } from '../../ui/components';
import { navigate, useBoard, useNow, useStores } from '../../ui/context';
import { COLUMNS, relativeTime, statusTitle } from '../../model/format';
import { href } from '../../model/routes';
import { groupByStatus } from '../../model/stores/board-store';
import { TaskDrawer } from './task-drawer';

type Tab = 'tasks' | 'approvals' | 'chat';
const RELOAD_MS = 5000;

export function BoardView({ id, taskId }: { id: string; taskId: string | null }) {
  const { board: store } = useStores();
  const board = useBoard((s) => (s.boardId === id ? s.board : null));
  const error = useBoard((s) => s.error);
  const approvals = useBoard((s) => s.approvals);
  const [tab, setTab] = useState<Tab>('tasks');

  useEffect(() => {
    void store.getState().load(id);
    // Agents change tasks too: re-read in place while the board is open.
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void store.getState().reload();
    }, RELOAD_MS);
    return () => clearInterval(t);
  }, [store, id]);

  if (!board) {
    return (
      <div className="page">
        <PageHeader title="Board" crumbs={<a href={href.boards()}>Boards</a>} />
        {error ? (
          <Empty icon="board" title="This board could not be opened">
            {error} <a href={href.boards()}>Back to the boards</a>
          </Empty>
        ) : (
          <Spinner label="Loading the board" />
        )}
      </div>
    );
  }
  const pending = approvals.filter((a) => a.status === 'pending').length;
  const tabs: [Tab, string][] = [
    ['tasks', 'Tasks'],
    ['approvals', pending ? `Approvals (${pending})` : 'Approvals'],
    ['chat', 'Chat'],
  ];
  return (
    <div className="page page-wide">
      <PageHeader
        title={board.name}
        crumbs={<a href={href.boards()}>Boards</a>}
        subtitle={board.description}
        actions={
          <div className="rules-inline small">
            {board.require_approval_for_done && <span className="rule-tag">Approval for done</span>}
            {board.require_review_before_done && <span className="rule-tag">Review before done</span>}
            {board.only_lead_can_change_status && <span className="rule-tag">Lead moves tasks</span>}
          </div>
        }
      />
      <div className="tabs" role="tablist" aria-label="Board sections">
        {tabs.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            id={`tab-${key}`}
            aria-selected={tab === key}
            aria-controls={`panel-${key}`}
            tabIndex={tab === key ? 0 : -1}
            onClick={() => setTab(key)}
            onKeyDown={(e) => {
              const i = tabs.findIndex(([k]) => k === key);
              const next =
                e.key === 'ArrowRight'
                  ? tabs[(i + 1) % tabs.length]
                  : e.key === 'ArrowLeft'
                    ? tabs[(i + tabs.length - 1) % tabs.length]
                    : null;
              if (next) {
                setTab(next[0]);
                document.getElementById(`tab-${next[0]}`)?.focus();
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'tasks' && <Kanban boardId={id} />}
        {tab === 'approvals' && <ApprovalsPanel />}
        {tab === 'chat' && <ChatPanel />}
      </div>
      {taskId && <TaskDrawer boardId={id} taskId={taskId} onClose={() => navigate(href.board(id))} />}
    </div>
  );
}

function Kanban({ boardId }: { boardId: string }) {
  const { board: store } = useStores();
  const tasks = useBoard((s) => s.tasks);
  const agents = useBoard((s) => s.agents);
  const refusal = useBoard((s) => s.refusal);
  const columns = useMemo(() => groupByStatus(tasks), [tasks]);
  const names = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
  const [over, setOver] = useState<TaskStatus | null>(null);
  const [announce, setAnnounce] = useState('');

  const move = async (taskId: string, target: TaskStatus) => {
    const task = store.getState().tasks.find((t) => t.id === taskId);
    const ok = await store.getState().moveTask(taskId, target);
    if (ok && task) setAnnounce(`“${task.title}” moved to ${statusTitle(target)}.`);
  };
  // One handler per board for what every card does (drag, Alt+arrow), not two closures per card.
  const cardOf = (target: EventTarget) => (target instanceof Element ? target.closest<HTMLElement>('.task-card[data-task-id]') : null);
  const onDragStart = (e: DragEvent) => {
    const id = cardOf(e.target)?.dataset.taskId;
    if (!id) return;
    e.dataTransfer.setData('application/x-mc-task', id);
    e.dataTransfer.setData('text/plain', id);
    e.dataTransfer.effectAllowed = 'move';
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!e.altKey || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    if (!(e.target instanceof Element) || !e.target.classList.contains('task-link')) return;
    const task = store.getState().tasks.find((t) => t.id === cardOf(e.target)?.dataset.taskId);
    if (!task) return;
    e.preventDefault();
    const target = ORDER[ORDER.indexOf(task.status) + (e.key === 'ArrowRight' ? 1 : -1)];
    if (target) void move(task.id, target);
  };
  const onDrop = (e: DragEvent, target: TaskStatus) => {
    e.preventDefault();
    setOver(null);
    const taskId = e.dataTransfer.getData('application/x-mc-task') || e.dataTransfer.getData('text/plain');
    if (taskId) void move(taskId, target);
  };

  return (
    <>
      <div className="refusal-slot">
        {refusal && (
          <Alert
            tone="bad"
            title={`“${refusal.taskTitle}” was not moved to ${statusTitle(refusal.target)}`}
            onDismiss={() => store.getState().dismissRefusal()}
          >
            {refusal.message} <a href={href.board(boardId, refusal.taskId)}>Open the task</a>
          </Alert>
        )}
      </div>
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
      <div className="kanban" onDragStart={onDragStart} onKeyDown={onKeyDown}>
        {COLUMNS.map((col) => (
          <section
            key={col.status}
            className={`column ${over === col.status ? 'drop-target' : ''}`}
            aria-labelledby={`col-${col.status}`}
            data-status={col.status}
            onDragOver={(e) => {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'move';
              if (over !== col.status) setOver(col.status);
            }}
            onDragLeave={(e) => {
              if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(null);
            }}
            onDrop={(e) => onDrop(e, col.status)}
          >
            <header className="column-head">
              <h2 id={`col-${col.status}`}>{col.title}</h2>
              <span className="count" aria-label={`${columns[col.status].length} tasks`}>
                {columns[col.status].length}
              </span>
            </header>
            {col.status === 'inbox' && <QuickAdd />}
            <ul className="cards" aria-label={`${col.title} tasks`}>
              {columns[col.status].map((t) => (
                <TaskCard
                  key={t.id}
                  task={t}
                  assignee={t.assigned_agent_id ? (names.get(t.assigned_agent_id) ?? 'unknown agent') : null}
                  boardId={boardId}
                />
              ))}
            </ul>
            {columns[col.status].length === 0 && (
              <p className="column-empty">{col.status === 'inbox' ? 'Add a task above.' : 'Drag a task here.'}</p>
            )}
          </section>
        ))}
      </div>
    </>
  );
}

const ORDER = COLUMNS.map((c) => c.status);

const TaskCard = memo(
  function TaskCard({ task, assignee, boardId }: { task: TaskRead; assignee: string | null; boardId: string }) {
    return (
      <li className={`task-card prio-${task.priority}`} draggable data-task-id={task.id}>
        <a href={href.board(boardId, task.id)} className="task-link" aria-describedby="card-help">
          <span className="task-title">{task.title}</span>
        </a>
        <div className="task-meta small">
          <span className={`prio prio-${task.priority}`}>{task.priority}</span>
          {task.is_blocked && <span className="blocked">blocked</span>}
          {task.depends_on_task_ids.length > 0 && <span className="muted">{task.depends_on_task_ids.length} dep.</span>}
          <span className={`assignee ${assignee ? '' : 'muted'}`}>{assignee ?? 'unassigned'}</span>
        </div>
      </li>
    );
  },
  (a, b) =>
    a.task.updated_at === b.task.updated_at && a.task.status === b.task.status && a.assignee === b.assignee && a.boardId === b.boardId,
);

function QuickAdd() {
  const { board: store } = useStores();
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = title.trim();
    if (!value) return;
    // Cleared at once, so the next title can be typed while this one is saved; put back if refused.
    setTitle('');
    try {
      await store.getState().createTask({ title: value });
      setError(null);
      input.current?.focus();
    } catch (err) {
      setTitle(value);
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form className="quick-add" onSubmit={submit} aria-label="Add a task">
      <label htmlFor="quick-add" className="sr-only">
        New task title
      </label>
      <input id="quick-add" ref={input} placeholder="Add a task…" value={title} onChange={(e) => setTitle(e.target.value)} />
      <button type="submit" className="icon-btn" aria-label="Add task" disabled={!title.trim()}>
        <Icon name="plus" />
      </button>
      {error && (
        <p role="alert" className="field-error small">
          {error}
        </p>
      )}
      <p id="card-help" className="sr-only">
        Enter opens the task. Alt plus arrow keys move it to the next or previous column.
      </p>
    </form>
  );
}

function ApprovalsPanel() {
  const { board: store } = useStores();
  const approvals = useBoard((s) => s.approvals);
  const tasks = useBoard((s) => s.tasks);
  const boardId = useBoard((s) => s.boardId) ?? '';
  const now = useNow(30_000);
  const [busy, setBusy] = useState<string | null>(null);
  const resolve = async (id: string, status: 'approved' | 'rejected') => {
    setBusy(id);
    try {
      await store.getState().resolveApproval(id, status);
    } finally {
      setBusy(null);
    }
  };
  if (approvals.length === 0)
    return (
      <Empty icon="check" title="No approvals">
        Approvals appear here when a lead asks for one, or when you request one from a task to let it be marked done.
      </Empty>
    );
  return (
    <ul className="approvals">
      {approvals.map((a) => {
        const taskIds = a.task_ids.length ? a.task_ids : a.task_id ? [a.task_id] : [];
        return (
          <li key={a.id} className="approval card">
            <div className="approval-head">
              <strong>{a.action_type.replace(/_/g, ' ')}</strong>
              <Pill tone={a.status === 'approved' ? 'ok' : a.status === 'rejected' ? 'bad' : 'warn'}>{a.status}</Pill>
            </div>
            <p className="small muted">
              Confidence {a.confidence}% · requested {relativeTime(a.created_at, now)}
            </p>
            {taskIds.length > 0 && (
              <p className="small">
                For:{' '}
                {taskIds.map((t, i) => (
                  <span key={t}>
                    {i > 0 && ', '}
                    <a href={href.board(boardId, t)}>{tasks.find((x) => x.id === t)?.title ?? 'a task'}</a>
                  </span>
                ))}
              </p>
            )}
            {a.status === 'pending' && (
              <div className="row-actions">
                <button
                  type="button"
                  className="btn btn-sm btn-primary"
                  disabled={busy === a.id}
                  onClick={() => void resolve(a.id, 'approved')}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="btn btn-sm btn-danger-ghost"
                  disabled={busy === a.id}
                  onClick={() => void resolve(a.id, 'rejected')}
                >
                  Reject
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ChatPanel() {
  const { board: store } = useStores();
  const chat = useBoard((s) => s.chat);
  const agents = useBoard((s) => s.agents);
  const now = useNow(30_000);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A block body: Chromium's scrollIntoView may return a promise, which React would take for a cleanup.
    end.current?.scrollIntoView({ block: 'end' });
  }, [chat.length]);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      await store.getState().sendChat(text.trim());
      setText('');
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div className="chat card">
      <div className="chat-log" aria-label="Board chat" role="log">
        {chat.length === 0 ? (
          <p className="muted center">No messages yet. Everything you post here reaches the board’s agents; @name mentions one.</p>
        ) : (
          chat.map((m) => (
            <div key={m.id} className={`msg ${m.author === 'user' ? 'msg-me' : ''}`}>
              <div className="msg-head small">
                <strong>{m.author === 'user' ? 'You' : (m.source ?? 'agent')}</strong>{' '}
                <span className="muted">{relativeTime(m.created_at, now)}</span>
              </div>
              <div className="msg-body">{m.content}</div>
            </div>
          ))
        )}
        <div ref={end} />
      </div>
      <form className="chat-form" onSubmit={send} aria-label="Send a chat message">
        <label htmlFor="chat-input" className="sr-only">
          Message to the board
        </label>
        <input
          id="chat-input"
          placeholder={`Message ${agents.length} agent${agents.length === 1 ? '' : 's'}…`}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={!text.trim()}>
          Send
        </button>
      </form>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
