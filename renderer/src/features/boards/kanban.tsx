import { memo, useMemo, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import type { TaskStatus } from '../../../../backend/contract/common';
import type { TaskRead } from '../../../../backend/contract/tasks';
import { COLUMNS, statusTitle } from '../../model/format';
import { href } from '../../model/routes';
import { groupByStatus } from '../../model/stores/board-store';
import { Alert } from '../../ui/components';
import { useBoard, useStores } from '../../ui/context';
import { Icon } from '../../ui/icons';

export function Kanban({ boardId }: { boardId: string }) {
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
