import { useStore } from 'zustand';
import { relativeTime, wakeLadder } from '../../model/format';
import { href } from '../../model/routes';
import { attentionList } from '../../model/stores/attention-store';
import { Card, Empty, PageHeader, Pill } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { useApp, useNow } from '../../ui/context';
import { Icon } from '../../ui/icons';
import { gatewayTone } from '../gateways';
import { TOKEN_DRIFT, useAttentionEvidence } from './attention-evidence';
import { AgentItem, FixResults, TemplateItem, TemplatesLine } from './attention-items';

export function OverviewPage() {
  const gateways = useApp((s) => s.gateways);
  const boards = useApp((s) => s.boards);
  const agents = useApp((s) => s.agents);
  const loading = useApp((s) => s.loading);
  const discovered = useApp((s) => s.discovered);
  const now = useNow(5000);
  const { doctor, templates } = useAttentionEvidence();
  const tokenDrift = useStore(doctor, (s) => s.checks[TOKEN_DRIFT]);
  const tokenDriftError = useStore(doctor, (s) => s.error);
  const templateDrift = useStore(templates, (s) => s.drift);
  const count = (status: string) => agents.filter((a) => a.status === status).length;
  const attention = attentionList({ agents, gateways, tokenDrift, templateDrift });
  const connected = gateways.filter((g) => g.connection_state === 'connected').length;

  if (!loading && gateways.length === 0) {
    return (
      <div className="page">
        <PageHeader title="Overview" subtitle="Your gateways, boards and agents at a glance." />
        <Empty
          icon="gateway"
          title="Connect your first OpenClaw gateway"
          action={
            <a className="btn btn-primary" href={href.gatewayNew()}>
              <Icon name="plus" /> Add a gateway
            </a>
          }
        >
          {discovered?.found
            ? `A gateway is configured on this machine (${discovered.url}). Add it, then create a board and its agents.`
            : 'Mission Control provisions and supervises agents on an OpenClaw gateway. Add one, then create a board and its agents.'}
        </Empty>
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader title="Overview" subtitle="Your gateways, boards and agents at a glance." />
      <div className="stats" role="list" aria-label="Totals">
        <Stat
          label="Gateways connected"
          value={`${connected}/${gateways.length}`}
          tone={connected === gateways.length ? 'ok' : 'warn'}
          to={href.gateways()}
        />
        <Stat label="Boards" value={String(boards.length)} to={href.boards()} />
        <Stat label="Agents online" value={String(count('online'))} tone="ok" to={href.agents()} />
        <Stat label="Provisioning" value={String(count('provisioning'))} tone="warn" to={href.agents()} />
        <Stat label="Offline" value={String(count('offline'))} tone={count('offline') ? 'bad' : 'muted'} to={href.agents()} />
      </div>

      <div className="grid-2">
        <Card title={`Needs attention${attention.length ? ` (${attention.length})` : ''}`}>
          {attention.length === 0 ? (
            <p className="quiet-ok">
              <Icon name="check" /> Every agent is checking in. Nothing needs you right now.
            </p>
          ) : (
            <ul className="attention" aria-label="Needs attention">
              {attention.map((item) =>
                item.type === 'agent' ? (
                  <AgentItem key={item.key} item={item} doctor={doctor} now={now} />
                ) : (
                  <TemplateItem key={item.key} item={item} templates={templates} now={now} />
                ),
              )}
            </ul>
          )}
          <FixResults doctor={doctor} />
          {tokenDriftError && !tokenDrift && (
            <p className="small muted attention-note">Token drift not checked: {tokenDriftError.message}</p>
          )}
        </Card>

        <Card
          title="Gateways"
          actions={
            <a className="btn btn-sm btn-ghost" href={href.gateways()}>
              All gateways
            </a>
          }
        >
          <ul className="health-list">
            {gateways.map((g) => (
              <li key={g.id}>
                <div className="health-main">
                  <a href={href.gateway(g.id)} className="strong">
                    {g.name}
                  </a>
                  <div className="muted small mono">{g.url}</div>
                  {g.last_error && g.connection_state !== 'connected' && <div className="small text-bad">{g.last_error.message}</div>}
                </div>
                <div className="right">
                  <Pill tone={gatewayTone(g.connection_state)}>{g.connection_state}</Pill>
                  <div className="muted small">{g.server_version ? `v${g.server_version}` : 'version unknown'}</div>
                </div>
                <TemplatesLine
                  gateway={g}
                  drift={templateDrift?.find((d) => d.gateway_id === g.id)}
                  known={templateDrift !== null}
                  templates={templates}
                  now={now}
                />
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <Card title="Agents by board">
        {boards.length === 0 ? (
          <p className="muted">
            No boards yet. <a href={href.boards()}>Create a board</a> to give your agents somewhere to work.
          </p>
        ) : (
          <DataTable columns={['Board', 'Agents', 'Online', 'Waking', 'Offline', 'Last check-in']}>
            {boards.map((b) => {
              const mine = agents.filter((a) => a.board_id === b.id);
              const last =
                mine
                  .map((a) => a.last_seen_at)
                  .filter((x): x is string => !!x)
                  .sort()
                  .slice(-1)[0] ?? null;
              return (
                <tr key={b.id}>
                  <td>
                    <a href={href.board(b.id)}>{b.name}</a>
                  </td>
                  <td className="num">{mine.length}</td>
                  <td className="num">{mine.filter((a) => a.status === 'online').length}</td>
                  <td className="num">{mine.filter((a) => wakeLadder(a, 3, now).deadlineIn !== null).length}</td>
                  <td className="num">{mine.filter((a) => a.status === 'offline').length}</td>
                  <td>{relativeTime(last, now)}</td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </Card>
    </div>
  );
}

function Stat({
  label,
  value,
  tone = 'info',
  to,
}: {
  label: string;
  value: string;
  tone?: 'ok' | 'warn' | 'bad' | 'info' | 'muted';
  to: string;
}) {
  return (
    <a className={`stat tone-${tone}`} href={to} role="listitem">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </a>
  );
}
