import { useEffect, useRef, useState, type FormEvent } from 'react';
import { relativeTime } from '../../model/format';
import { href } from '../../model/routes';
import { Empty, Pill } from '../../ui/components';
import { useBoard, useNow, useStores } from '../../ui/context';
import { ApprovalActions } from './approval-actions';

export function ApprovalsPanel() {
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
            {a.status === 'pending' && <ApprovalActions busy={busy === a.id} onResolve={(status) => void resolve(a.id, status)} />}
          </li>
        );
      })}
    </ul>
  );
}

export function ChatPanel() {
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
