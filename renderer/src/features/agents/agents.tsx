import { memo, useState } from 'react';
import type { z } from 'zod';
import type { AgentLifecycle, AgentRead } from '../../../../backend/contract/agents';
import { Icon } from '../../ui/icons';
import {
  Alert,
  Card,
  ConfirmDialog,
  Empty,
  Facts,
  Field,
  FormFooter,
  PageHeader,
  SelectField,
  StatusPill,
  useSubmit,
} from '../../ui/components';
import { navigate, useApp, useNow, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { describeEvent, formatDateTime, relativeTime, roleOf, wakeLadder } from '../../model/format';
import { href } from '../../model/routes';

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
        <div className="table-wrap">
          <table className="table agents-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Board</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Wake ladder</th>
                <th scope="col">Reason</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
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

type Lifecycle = z.infer<typeof AgentLifecycle>;

export function AgentPage({ id }: { id: string }) {
  const { api } = useStores();
  const agent = useApp((s) => s.agents.find((a) => a.id === id));
  const board = useApp((s) => s.boards.find((b) => b.id === agent?.board_id));
  const gateway = useApp((s) => s.gateways.find((g) => g.id === agent?.gateway_id));
  const max = useApp((s) => s.settings?.max_wake_attempts ?? 3);
  const act = useApp((s) => s.agentAction);
  const busy = useApp((s) => s.busy[id]);
  const [confirm, setConfirm] = useState(false);
  const now = useNow(1000);
  const version = agent ? `${agent.updated_at}|${agent.wake_attempts}|${agent.status}` : '';
  const { data: life } = useResource<Lifecycle>(() => api('agentLifecycle', { params: { agent_id: id }, query: { limit: 100 } }), [api, id, version]);

  if (!agent) {
    return (
      <div className="page">
        <PageHeader title="Agent" crumbs={<a href={href.agents()}>Agents</a>} />
        <Empty icon="agent" title="This agent does not exist (any more)">
          <a href={href.agents()}>Back to the agents</a>
        </Empty>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader
        title={agent.name}
        crumbs={<a href={href.agents()}>Agents</a>}
        subtitle={`${roleOf(agent)}${board ? ` on ${board.name}` : ''}${gateway ? ` · ${gateway.name}` : ''}`}
        actions={
          <>
            <StatusPill status={agent.status} />
            <button type="button" className="btn" disabled={!!busy} onClick={() => void act(id, 'wake')}>
              {busy === 'wake' ? 'Waking…' : 'Wake'}
            </button>
            <button type="button" className="btn" disabled={!!busy} onClick={() => void act(id, 'reprovision')}>
              {busy === 'reprovision' ? 'Working…' : 'Re-provision'}
            </button>
            <button
              type="button"
              className="btn btn-danger-ghost"
              disabled={!!busy || agent.is_gateway_main}
              onClick={() => setConfirm(true)}
            >
              Delete
            </button>
          </>
        }
      />
      {agent.last_provision_error && agent.status !== 'online' && (
        <Alert tone={agent.status === 'offline' ? 'bad' : 'warn'} title="Why">
          {agent.last_provision_error}
          {/exec|approval|allowlist/i.test(agent.last_provision_error) && (
            <div className="row-actions">
              <button type="button" className="btn btn-sm" onClick={() => void act(id, 'allow-checkin')}>
                Allow the check-in command on the gateway
              </button>
            </div>
          )}
        </Alert>
      )}
      <div className="grid-2">
        <Card title="Check-ins">
          <Facts
            items={[
              [
                'Last seen',
                `${relativeTime(agent.last_seen_at, now)}${agent.last_seen_at ? ` · ${formatDateTime(agent.last_seen_at)}` : ''}`,
              ],
              ['Wake ladder', <LadderCell agent={agent} max={max} now={now} />],
              ['Last wake sent', formatDateTime(agent.last_wake_sent_at)],
              ['Heartbeat', agent.heartbeat_config ? `every ${agent.heartbeat_config.every}` : 'gateway default'],
            ]}
          />
        </Card>
        <Card title="Identity">
          <Facts
            items={[
              ['Board', board ? <a href={href.board(board.id)}>{board.name}</a> : '—'],
              ['Gateway', gateway ? <a href={href.gateway(gateway.id)}>{gateway.name}</a> : '—'],
              ['Session', <span className="mono small">{agent.openclaw_session_id ?? '—'}</span>],
              ['Token', agent.has_token ? 'issued (never shown)' : 'none yet'],
            ]}
          />
        </Card>
      </div>
      <Card
        title="Lifecycle timeline"
        actions={
          <a className="btn btn-sm btn-ghost" href={href.logs({ agent: id })}>
            Open in logs
          </a>
        }
      >
        {!life ? (
          <p className="muted">Loading…</p>
        ) : life.events.length === 0 ? (
          <p className="muted">Nothing yet. Wakes, check-ins and failures appear here as they happen.</p>
        ) : (
          <ol className="timeline">
            {life.events.map((e) => (
              <li
                key={e.id}
                className={`tl-${/failed|max_attempts|offline/.test(e.event) ? 'bad' : /checkin|skip_not_stuck/.test(e.event) ? 'ok' : 'info'}`}
              >
                <span className="tl-dot" aria-hidden="true" />
                <div className="tl-body">
                  <div className="tl-head">
                    <strong>{describeEvent(e.event)}</strong>
                    <span className="mono small muted">{e.event}</span>
                    <time className="small muted" dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                      {relativeTime(e.created_at, now)}
                    </time>
                  </div>
                  <p className="small">{e.message}</p>
                </div>
              </li>
            ))}
          </ol>
        )}
      </Card>
      {confirm && (
        <ConfirmDialog
          title={`Delete “${agent.name}”?`}
          confirmLabel="Delete agent"
          danger
          onCancel={() => setConfirm(false)}
          onConfirm={() => {
            setConfirm(false);
            void act(id, 'delete').then(() => navigate(href.agents()));
          }}
        >
          The agent is removed from its gateway with its workspace files and sessions, then from Mission Control.
        </ConfirmDialog>
      )}
    </div>
  );
}
