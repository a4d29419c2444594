import { useState } from 'react';
import type { GatewayLiveStatus } from '../../../../backend/contract/gateways';
import { formatDateTime, relativeTime, roleOf } from '../../model/format';
import { href } from '../../model/routes';
import { Alert, Card, Empty, Facts, PageHeader, Pill, StatusPill } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { navigate, useApp, useAppShallow, useNow, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { TemplatesSection } from '../template-sync';
import { gatewayTone, usePollGateways } from './gateways';
import { TeardownDialog, teardownSummary } from './teardown-dialog';

/** 400+ methods read best by namespace; the full list is one click (and a filter) away. */
function MethodGroups({ methods }: { methods: string[] }) {
  const [filter, setFilter] = useState('');
  const groups = new Map<string, number>();
  for (const m of methods) {
    const ns = m.includes('.') ? m.slice(0, m.indexOf('.')) : m;
    groups.set(ns, (groups.get(ns) ?? 0) + 1);
  }
  const shown = methods.filter((m) => m.includes(filter.trim()));
  return (
    <>
      <div className="chips" aria-label="Method namespaces">
        {[...groups.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([ns, n]) => (
            <span key={ns} className="chip mono">
              {ns}
              {n > 1 && <span className="muted"> ×{n}</span>}
            </span>
          ))}
      </div>
      <details className="methods">
        <summary>All {methods.length} methods</summary>
        <label htmlFor="method-filter" className="sr-only">
          Filter methods
        </label>
        <input
          id="method-filter"
          className="mono"
          placeholder="Filter, e.g. agents."
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <ul className="method-list mono small" aria-label="Advertised methods">
          {shown.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      </details>
    </>
  );
}

export function GatewayDetailPage({ id }: { id: string }) {
  const { api } = useStores();
  const gateway = useApp((s) => s.gateways.find((g) => g.id === id));
  const agents = useAppShallow((s) => s.agents.filter((a) => a.gateway_id === id));
  const boards = useAppShallow((s) => s.boards.filter((b) => b.gateway_id === id));
  const remove = useApp((s) => s.deleteGateway);
  const notify = useApp((s) => s.notify);
  const [confirm, setConfirm] = useState(false);
  const now = useNow(10_000);
  usePollGateways();
  // The live details (methods, scopes, auth) are re-read when the streamed record changes, and slowly otherwise.
  const liveKey = gateway ? `${gateway.connection_state} ${gateway.server_version} ${gateway.last_error?.at ?? ''}` : '';
  const { data: status } = useResource<GatewayLiveStatus>(() => api('gatewayStatus', { params: { gateway_id: id } }), [api, id, liveKey], {
    pollMs: 60_000,
  });

  if (!gateway) {
    return (
      <div className="page">
        <PageHeader title="Gateway" crumbs={<a href={href.gateways()}>Gateways</a>} />
        <Empty icon="gateway" title="This gateway does not exist (any more)">
          <a href={href.gateways()}>Back to the gateways</a>
        </Empty>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader
        title={gateway.name}
        crumbs={<a href={href.gateways()}>Gateways</a>}
        subtitle={<span className="mono">{gateway.url}</span>}
        actions={
          <>
            <Pill tone={gatewayTone(gateway.connection_state)}>{gateway.connection_state}</Pill>
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirm(true)}>
              Delete
            </button>
          </>
        }
      />
      {gateway.last_error && gateway.connection_state !== 'connected' && (
        <Alert tone="bad" title={gateway.last_error.message}>
          What to do: {gateway.last_error.next_step}
        </Alert>
      )}
      <div className="grid-2">
        <Card title="Connection">
          <Facts
            items={[
              ['OpenClaw version', <span className="mono">{gateway.server_version ?? '—'}</span>],
              ['Protocol', gateway.protocol_version ?? '—'],
              [
                'Signed in with',
                status?.auth_method === 'device-token' ? 'device token (paired)' : status?.auth_method === 'token' ? 'gateway token' : '—',
              ],
              ['Last connected', `${relativeTime(gateway.last_connected_at, now)} · ${formatDateTime(gateway.last_connected_at)}`],
              ['Workspace root', <span className="mono">{gateway.workspace_root}</span>],
              ['Token stored', gateway.has_token ? 'yes (never shown)' : 'no'],
            ]}
          />
        </Card>
        <Card title="Capabilities">
          {status && status.methods.length === 0 ? (
            <p className="muted">Not connected: what the gateway offers is read once it answers.</p>
          ) : status ? (
            <>
              <p className="muted small">
                {status.methods.length} methods · {status.events.length} events · scopes {status.scopes.join(', ') || '—'}
              </p>
              <MethodGroups methods={status.methods} />
            </>
          ) : gateway.connection_state !== 'connected' ? (
            <p className="muted">Not connected: what the gateway offers is read once it answers.</p>
          ) : (
            <p className="muted">Reading what the gateway offers…</p>
          )}
        </Card>
      </div>
      <Card title={`Agents on this gateway (${agents.length})`}>
        {agents.length === 0 ? (
          <p className="muted">No agents yet. Saving the gateway provisions its main agent; boards add leads and workers.</p>
        ) : (
          <DataTable columns={['Name', 'Role', 'Status', 'Last seen']}>
            {agents.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={href.agent(a.id)}>{a.name}</a>
                </td>
                <td>{roleOf(a)}</td>
                <td>
                  <StatusPill status={a.status} />
                </td>
                <td>{relativeTime(a.last_seen_at, now)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <TemplatesSection gateway={gateway} boards={boards} agents={agents} />
      {confirm && (
        <TeardownDialog
          title={`Delete “${gateway.name}”?`}
          what="gateway"
          agents={agents}
          blocked={boards.length > 0 ? `It still has ${boards.length} board(s); delete those first. The gateway refuses otherwise.` : null}
          run={(force) => remove(gateway.id, force)}
          onCancel={() => setConfirm(false)}
          onDone={(result) => {
            setConfirm(false);
            const { tone, text } = teardownSummary(`Gateway “${gateway.name}”`, result);
            notify(tone, text);
            navigate(href.gateways());
          }}
        />
      )}
    </div>
  );
}
