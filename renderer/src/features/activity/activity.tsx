import { useEffect, useState, type FormEvent } from 'react';
import type { ActivityEventRead } from '../../../../backend/contract/memory';
import type { LifecycleEventRead } from '../../../../backend/contract/agents';
import { Empty, PageHeader, Pill, SelectField } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { navigate, useApp, useNow, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { describeEvent, formatDateTime, relativeTime } from '../../model/format';
import { href } from '../../model/routes';

const POLL_MS = 5000;

const toneOf = (type: string) =>
  /failed|offline|error|rejected/.test(type) ? 'bad' : /done|approved|online|created/.test(type) ? 'ok' : 'info';

export function ActivityPage() {
  const { api } = useStores();
  const agents = useApp((s) => s.agents);
  const boards = useApp((s) => s.boards);
  const now = useNow(15_000);
  const { data, error } = useResource(() => api('listActivity', { query: { limit: 100 } }), [api], { pollMs: POLL_MS });
  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  const boardName = new Map(boards.map((b) => [b.id, b.name]));
  return (
    <div className="page">
      <PageHeader title="Activity" subtitle="What happened on your boards: tasks, approvals, chat and agents, newest first." />
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {data && data.items.length === 0 ? (
        <Empty icon="activity" title="Nothing has happened yet">
          Activity appears as you and your agents create tasks, move them, comment and approve.
        </Empty>
      ) : (
        <ol className="feed" aria-label="Activity">
          {(data?.items ?? []).map((e: ActivityEventRead) => (
            <li key={e.id} className="feed-item">
              <Pill tone={toneOf(e.event_type)}>{e.event_type.replace(/[._]/g, ' ')}</Pill>
              <div className="feed-body">
                <p>{e.message ?? e.event_type}</p>
                <p className="small muted">
                  {e.agent_id && <a href={href.agent(e.agent_id)}>{agentName.get(e.agent_id) ?? 'agent'}</a>}
                  {e.agent_id && e.board_id && ' · '}
                  {e.board_id && <a href={href.board(e.board_id, e.task_id ?? undefined)}>{boardName.get(e.board_id) ?? 'board'}</a>}
                </p>
              </div>
              <time className="small muted nowrap" dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                {relativeTime(e.created_at, now)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

// The seed's events first (what its troubleshooting guide tells operators to watch), then ours.
const EVENT_SUGGESTIONS = [
  'lifecycle.*',
  'lifecycle.queue.enqueued',
  'queue.worker.success',
  'lifecycle.reconcile.skip_not_stuck',
  'lifecycle.reconcile.deferred',
  'lifecycle.reconcile.retriggered',
  'lifecycle.reconcile.max_attempts_reached',
  'lifecycle.reconcile.*',
  'lifecycle.wake.*',
  'lifecycle.checkin',
  'lifecycle.wake.sent',
  'lifecycle.wake.failed',
];

export function LogsPage({ agent, event }: { agent: string; event: string }) {
  const { api } = useStores();
  const agents = useApp((s) => s.agents);
  const now = useNow(15_000);
  const [eventInput, setEventInput] = useState(event);
  useEffect(() => {
    setEventInput(event);
  }, [event]);
  const valid = event === '' || /^[a-z0-9_.]+\*?$/.test(event);
  const { data, error } = useResource(
    () =>
      valid
        ? api('listLogs', { query: { limit: 200, ...(agent ? { agent_id: agent } : {}), ...(event ? { event } : {}) } })
        : Promise.resolve(null),
    [api, agent, event, valid],
    { pollMs: POLL_MS },
  );
  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(href.logs({ agent, event: eventInput.trim() }));
  };
  return (
    <div className="page page-wide">
      <PageHeader title="Logs" subtitle="Lifecycle events: wakes, check-ins, retries and why an agent went offline." />
      <form className="filters card" onSubmit={apply} aria-label="Filter logs">
        <SelectField
          label="Agent"
          options={agents}
          value={agent}
          anyLabel="All agents"
          onChange={(id) => navigate(href.logs({ agent: id, event }))}
        />
        <div className="field grow">
          <label htmlFor="log-event">Event</label>
          <input
            id="log-event"
            className="mono"
            list="log-events"
            placeholder="lifecycle.* (a trailing * matches a prefix)"
            value={eventInput}
            onChange={(e) => setEventInput(e.target.value)}
          />
          <datalist id="log-events">
            {EVENT_SUGGESTIONS.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          {(agent || event) && (
            <a className="btn btn-ghost" href={href.logs()}>
              Clear
            </a>
          )}
        </div>
      </form>
      {!valid && (
        <p role="alert" className="field-error">
          An event filter is a lower-case event name, optionally ending in *.
        </p>
      )}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {data && data.items.length === 0 ? (
        <Empty icon="logs" title="No matching events">
          {agent || event
            ? 'Nothing matches these filters. Clear them to see everything.'
            : 'Lifecycle events appear once an agent is provisioned and woken.'}
        </Empty>
      ) : (
        <DataTable columns={['When', 'Event', 'Agent', 'Message']} className="logs-table" wrap>
          {(data?.items ?? []).map((e: LifecycleEventRead) => (
            <tr key={e.id}>
              <td className="nowrap" title={formatDateTime(e.created_at)}>
                {relativeTime(e.created_at, now)}
              </td>
              <td>
                <div className="mono small">{e.event}</div>
                <div className="small muted">{describeEvent(e.event)}</div>
              </td>
              <td>{e.agent_id ? <a href={href.agent(e.agent_id)}>{agentName.get(e.agent_id) ?? e.agent_id.slice(0, 8)}</a> : '—'}</td>
              <td className="reason">{e.message}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
