import { useState } from 'react';
import type { z } from 'zod';
import type { AgentLifecycle } from '../../../../backend/contract/agents';
import { describeEvent, formatDateTime, relativeTime, roleOf } from '../../model/format';
import { href } from '../../model/routes';
import { Alert, Card, ConfirmDialog, Empty, Facts, PageHeader, StatusPill } from '../../ui/components';
import { navigate, useApp, useNow, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { LadderCell } from './agents';

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
  const { data: life } = useResource<Lifecycle>(
    () => api('agentLifecycle', { params: { agent_id: id }, query: { limit: 100 } }),
    [api, id, version],
  );

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
