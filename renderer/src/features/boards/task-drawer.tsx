import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TaskStatus } from '../../../../backend/contract/common';
import { Icon } from '../../ui/icons';
import { Alert, Pill } from '../../ui/components';
import { useBoard, useBoardShallow, useNow, useStores } from '../../ui/context';
import { COLUMNS, formatDateTime, PRIORITIES, relativeTime, roleOf } from '../../model/format';
import { href } from '../../model/routes';
import { ApprovalActions } from './approval-actions';

/** The task drawer: everything about one task, edited in place; Escape or the close button leaves it. */
export function TaskDrawer({ boardId, taskId, onClose }: { boardId: string; taskId: string; onClose: () => void }) {
  const { board: store } = useStores();
  const task = useBoard((s) => s.tasks.find((t) => t.id === taskId));
  const tasks = useBoard((s) => s.tasks);
  const agents = useBoard((s) => s.agents);
  const approvals = useBoardShallow((s) => s.approvals.filter((a) => a.task_id === taskId || a.task_ids.includes(taskId)));
  const comments = useBoard((s) => s.comments[taskId]);
  const refusal = useBoard((s) => (s.refusal?.taskId === taskId ? s.refusal : null));
  const now = useNow(30_000);
  const panel = useRef<HTMLElement>(null);
  const [description, setDescription] = useState(task?.description ?? '');
  const [comment, setComment] = useState('');
  const [depFilter, setDepFilter] = useState('');

  useEffect(() => {
    // Escape closes the drawer wherever focus is (it may still be on the card that opened it).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  useEffect(() => {
    panel.current?.focus();
    void store.getState().loadComments(taskId);
  }, [store, taskId]);
  useEffect(() => {
    setDescription(task?.description ?? '');
  }, [task?.description]);

  if (!task) return null;
  const update = (body: Parameters<ReturnType<typeof store.getState>['updateTask']>[1]) => void store.getState().updateTask(taskId, body);
  const others = tasks.filter((t) => t.id !== taskId && (!depFilter || t.title.toLowerCase().includes(depFilter.toLowerCase())));
  const deps = new Set(task.depends_on_task_ids);
  const byId = new Map(tasks.map((t) => [t.id, t]));

  const addComment = async (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    await store.getState().addComment(taskId, comment.trim());
    setComment('');
  };

  return (
    <>
      <div className="scrim" onClick={onClose} aria-hidden="true" />
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title" tabIndex={-1} ref={panel}>
        <header className="drawer-head">
          <div>
            <p className="muted small">Task · created {relativeTime(task.created_at, now)}</p>
            <h2 id="drawer-title">{task.title}</h2>
          </div>
          <button type="button" className="icon-btn" aria-label="Close task" onClick={onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div className="drawer-body">
          {refusal && (
            <Alert tone="bad" title="Not changed">
              {refusal.message}
            </Alert>
          )}
          {task.is_blocked && (
            <Alert tone="warn" title="Blocked">
              Waiting for: {task.blocked_by_task_ids.map((id) => byId.get(id)?.title ?? 'a task').join(', ')}
            </Alert>
          )}
          <div className="form-grid three">
            <div className="field">
              <label htmlFor="task-status">Status</label>
              <select
                id="task-status"
                value={task.status}
                onChange={(e) => void store.getState().moveTask(taskId, e.target.value as TaskStatus)}
              >
                {COLUMNS.map((c) => (
                  <option key={c.status} value={c.status}>
                    {c.title}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="task-priority">Priority</label>
              <select id="task-priority" value={task.priority} onChange={(e) => update({ priority: e.target.value })}>
                {[...new Set([...PRIORITIES, task.priority])].map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="task-assignee">Assignee</label>
              <select
                id="task-assignee"
                value={task.assigned_agent_id ?? ''}
                onChange={(e) => update({ assigned_agent_id: e.target.value || null })}
              >
                <option value="">Unassigned</option>
                {agents
                  .filter((a) => !a.is_gateway_main)
                  .map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name} ({roleOf(a)}, {a.status})
                    </option>
                  ))}
              </select>
            </div>
          </div>

          <div className="field">
            <label htmlFor="task-description">Description</label>
            <textarea
              id="task-description"
              rows={4}
              value={description}
              placeholder="What needs doing, and how we know it is done."
              onChange={(e) => setDescription(e.target.value)}
            />
            {description !== (task.description ?? '') && (
              <div className="row-actions">
                <button type="button" className="btn btn-sm btn-primary" onClick={() => update({ description: description || null })}>
                  Save description
                </button>
                <button type="button" className="btn btn-sm" onClick={() => setDescription(task.description ?? '')}>
                  Discard
                </button>
              </div>
            )}
          </div>

          <section className="drawer-section" aria-labelledby="deps-title">
            <h3 id="deps-title">Depends on</h3>
            {task.depends_on_task_ids.length === 0 ? (
              <p className="muted small">No dependencies. This task can start any time.</p>
            ) : (
              <ul className="dep-list">
                {task.depends_on_task_ids.map((id) => {
                  const dep = byId.get(id);
                  return (
                    <li key={id}>
                      <a href={href.board(boardId, id)}>{dep?.title ?? 'a task'}</a>{' '}
                      <Pill tone={dep?.status === 'done' ? 'ok' : 'muted'}>{dep?.status ?? '?'}</Pill>
                      <button
                        type="button"
                        className="link-btn small"
                        onClick={() => update({ depends_on_task_ids: task.depends_on_task_ids.filter((d) => d !== id) })}
                      >
                        Remove
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
            <details className="dep-add">
              <summary>Add a dependency</summary>
              <label htmlFor="dep-filter" className="sr-only">
                Filter tasks
              </label>
              <input id="dep-filter" placeholder="Filter tasks…" value={depFilter} onChange={(e) => setDepFilter(e.target.value)} />
              <ul className="dep-options">
                {others
                  .filter((t) => !deps.has(t.id))
                  .slice(0, 20)
                  .map((t) => (
                    <li key={t.id}>
                      <button
                        type="button"
                        className="link-btn"
                        onClick={() => update({ depends_on_task_ids: [...task.depends_on_task_ids, t.id] })}
                      >
                        {t.title}
                      </button>
                    </li>
                  ))}
              </ul>
            </details>
          </section>

          <section className="drawer-section" aria-labelledby="approvals-title">
            <h3 id="approvals-title">Approvals</h3>
            {approvals.length === 0 ? (
              <p className="muted small">
                None. A board that requires approval for done needs an approved one before this task can be marked done.
              </p>
            ) : (
              <ul className="mini-approvals">
                {approvals.map((a) => (
                  <li key={a.id}>
                    <span>
                      {a.action_type.replace(/_/g, ' ')}{' '}
                      <Pill tone={a.status === 'approved' ? 'ok' : a.status === 'rejected' ? 'bad' : 'warn'}>{a.status}</Pill>
                    </span>
                    {a.status === 'pending' && (
                      <ApprovalActions inline onResolve={(status) => void store.getState().resolveApproval(a.id, status)} />
                    )}
                  </li>
                ))}
              </ul>
            )}
            {!approvals.some((a) => a.status === 'pending') && task.status !== 'done' && (
              <button type="button" className="btn btn-sm" onClick={() => void store.getState().requestApproval(taskId)}>
                Request approval to mark done
              </button>
            )}
          </section>

          <section className="drawer-section" aria-labelledby="comments-title">
            <h3 id="comments-title">Comments</h3>
            {!comments ? (
              <p className="muted small">Loading…</p>
            ) : comments.length === 0 ? (
              <p className="muted small">No comments yet.</p>
            ) : (
              <ul className="comments">
                {comments.map((c) => (
                  <li key={c.id}>
                    <div className="small muted">
                      {c.agent_id ? (agents.find((a) => a.id === c.agent_id)?.name ?? 'agent') : 'You'} · {relativeTime(c.created_at, now)}
                    </div>
                    <div>{c.message}</div>
                  </li>
                ))}
              </ul>
            )}
            <form onSubmit={addComment} className="comment-form" aria-label="Add a comment">
              <label htmlFor="comment" className="sr-only">
                Comment
              </label>
              <textarea id="comment" rows={2} placeholder="Write a comment…" value={comment} onChange={(e) => setComment(e.target.value)} />
              <button type="submit" className="btn btn-sm btn-primary" disabled={!comment.trim()}>
                Comment
              </button>
            </form>
          </section>
          <p className="muted small">
            Updated {formatDateTime(task.updated_at)} · <span className="mono">{task.id}</span>
          </p>
        </div>
      </aside>
    </>
  );
}
