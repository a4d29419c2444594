import { memo, useState } from 'react';
import type { AgentRead } from '../../../../backend/contract/agents';
import { relativeTime, roleOf, wakeLadder } from '../../model/format';
import { href } from '../../model/routes';
import { Card, ConfirmDialog, Empty, Field, FormFooter, PageHeader, SelectField, StatusPill, useSubmit } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { useApp, useNow } from '../../ui/context';
import { Icon } from '../../ui/icons';

type Action = 'wake' | 'reprovision' | 'delete';

export function AgentsPage() {
  const agents = useApp((s) => s.agents);
  const boards = useApp((s) => s.boards);
  const loading = useApp((s) => s.loading);
  const max = useApp((s) => s.settings?.max_wake_attempts ?? 3);
  const [creating, setCreating] = useState(false);
  const [confirm, setConfirm] = useState<AgentRead | null>(null);
  const [force, setForce] = useState(false);
  const act = useApp((s) => s.agentAction);
  const now = useNow(1000);
  const boardName = new Map(boards.map((b) => [b.id, b.name]));
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} disabled={boards.length === 0}>
      <Icon name="plus" /> New agent
    </button>
  );
  return (
    <div className="page page-wide">
      <PageHeader title="Agents" subtitle="Every agent, its check-ins and its wake ladder, live." actions={newButton} />
      {creating && <NewAgentForm onDone={() => setCreating(false)} />}
      {!loading && agents.length === 0 ? (
        <Empty
          icon="agent"
          title="No agents yet"
          action={
            boards.length === 0 ? (
              <a className="btn btn-primary" href={href.boards()}>
                Create a board
              </a>
            ) : (
              newButton
            )
          }
        >
          {boards.length === 0
            ? 'Agents work on boards. Create a board first; it can bring its lead agent with it.'
            : 'Add a worker to a board; Mission Control provisions it on the board’s gateway and wakes it.'}
        </Empty>
      ) : (
        <DataTable
          columns={[
            'Name',
            'Board',
            'Role',
            'Status',
            'Last seen',
            'Wake ladder',
            'Reason',
            <span key="actions" className="sr-only">
              Actions
            </span>,
          ]}
          className="agents-table"
          wrap
        >
          {agents.map((a) => (
            <AgentRow
              key={a.id}
              agent={a}
              board={a.board_id ? (boardName.get(a.board_id) ?? '—') : '—'}
              max={max}
              now={now}
              onAction={(action) => (action === 'delete' ? setConfirm(a) : void act(a.id, action))}
            />
          ))}
        </DataTable>
      )}
      {confirm && (
        <ConfirmDialog
          title={`Delete “${confirm.name}”?`}
          confirmLabel="Delete agent"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const id = confirm.id;
            setConfirm(null);
            setForce(false);
            void act(id, force ? 'force-delete' : 'delete');
          }}
        >
          The agent is removed from its gateway with its workspace files and sessions, then from Mission Control. Its tasks go back to the
          inbox.
          <label className="check force-check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Its gateway is gone: remove only the
            record here
          </label>
        </ConfirmDialog>
      )}
    </div>
  );
}

export function LadderCell({ agent, max, now }: { agent: AgentRead; max: number; now: number }) {
  const ladder = wakeLadder(agent, max, now);
  if (!ladder.label) return <span className="muted">—</span>;
  return (
    <span className="ladder" data-testid="ladder">
      <span className={`ladder-count ${ladder.exhausted ? 'text-bad' : ''}`}>{ladder.label}</span>
      <span className="ladder-deadline small muted">
        {ladder.deadlineIn !== null ? `check-in due in ${ladder.deadlineIn}s` : ladder.exhausted ? 'gave up' : ''}
      </span>
    </span>
  );
}

const AgentRow = memo(function AgentRow({
  agent: a,
  board,
  max,
  now,
  onAction,
}: {
  agent: AgentRead;
  board: string;
  max: number;
  now: number;
  onAction: (a: Action) => void;
}) {
  const busy = useApp((s) => s.busy[a.id]);
  return (
    <tr data-agent-id={a.id}>
      <td>
        <a href={href.agent(a.id)} className="strong">
          {a.name}
        </a>
      </td>
      <td>{board}</td>
      <td>{roleOf(a)}</td>
      <td className="status-cell">
        <StatusPill status={a.status} />
      </td>
      <td className="nowrap">{relativeTime(a.last_seen_at, now)}</td>
      <td className="ladder-cell">
        <LadderCell agent={a} max={max} now={now} />
      </td>
      {/* An online agent's last provisioning error is history (its timeline keeps it), not a reason. */}
      <td className="reason">{a.status === 'online' ? '' : (a.last_provision_error ?? '')}</td>
      <td className="actions-cell">
        <div className="row-actions">
          <button type="button" className="btn btn-sm" disabled={!!busy} onClick={() => onAction('wake')} aria-label={`Wake ${a.name}`}>
            {busy === 'wake' ? 'Waking…' : 'Wake'}
          </button>
          <button
            type="button"
            className="btn btn-sm"
            disabled={!!busy}
            onClick={() => onAction('reprovision')}
            aria-label={`Re-provision ${a.name}`}
          >
            {busy === 'reprovision' ? 'Working…' : 'Re-provision'}
          </button>
          <button
            type="button"
            className="btn btn-sm btn-danger-ghost"
            disabled={!!busy || a.is_gateway_main}
            onClick={() => onAction('delete')}
            aria-label={`Delete ${a.name}`}
          >
            {busy === 'delete' ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      </td>
    </tr>
  );
});

function NewAgentForm({ onDone }: { onDone: () => void }) {
  const boards = useApp((s) => s.boards);
  const createAgent = useApp((s) => s.createAgent);
  const [name, setName] = useState('');
  const [boardId, setBoardId] = useState(boards[0]?.id ?? '');
  const [lead, setLead] = useState(false);
  const [every, setEvery] = useState('10m');
  const { submit, saving, error } = useSubmit(async () => {
    await createAgent({
      name: name.trim(),
      board_id: boardId,
      is_board_lead: lead,
      heartbeat_config: { every, target: 'last', includeReasoning: false },
    });
    onDone();
  });
  return (
    <Card title="New agent">
      <form className="form" onSubmit={submit} aria-label="New agent">
        <div className="form-grid three">
          <Field label="Agent name">
            {(id) => <input id={id} required autoFocus value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <SelectField label="Board" options={boards} value={boardId} onChange={setBoardId} />
          <Field label="Heartbeat every" hint="e.g. 10m, 1h">
            {(id, d) => <input id={id} aria-describedby={d} className="mono" value={every} onChange={(e) => setEvery(e.target.value)} />}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={lead} onChange={(e) => setLead(e.target.checked)} /> Board lead (one per board)
        </label>
        <FormFooter
          error={error}
          saving={saving}
          canSubmit={Boolean(name.trim() && boardId)}
          submitLabel="Create and wake"
          savingLabel="Provisioning on the gateway…"
          onCancel={onDone}
        />
      </form>
    </Card>
  );
}
