import { useEffect, useState } from 'react';
import { href } from '../../model/routes';
import { Empty, PageHeader, Spinner } from '../../ui/components';
import { navigate, useBoard, useStores } from '../../ui/context';
import { ApprovalsPanel, ChatPanel } from './board-panels';
import { Kanban } from './kanban';
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
