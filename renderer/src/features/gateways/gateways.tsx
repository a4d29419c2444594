import { useEffect } from 'react';
import type { GatewayRead } from '../../../../backend/contract/gateways';
import { relativeTime, type Tone } from '../../model/format';
import { href } from '../../model/routes';
import { Empty, PageHeader, Pill } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { useApp, useNow } from '../../ui/context';
import { Icon } from '../../ui/icons';

export const gatewayTone = (state: GatewayRead['connection_state']): Tone =>
  state === 'connected' ? 'ok' : state === 'failed' ? 'bad' : state === 'connecting' || state === 'waiting' ? 'warn' : 'muted';

/**
 * Gateway health arrives live on the event stream (`event: gateway`, applied by the app store). This
 * slow re-read is only a reconcile, for anything the stream cannot say (a gateway added elsewhere).
 */
export function usePollGateways(ms = 60_000) {
  const refresh = useApp((s) => s.refreshGateways);
  useEffect(() => {
    const t = setInterval(() => void refresh(), ms);
    return () => clearInterval(t);
  }, [refresh, ms]);
}

export function GatewaysPage() {
  const gateways = useApp((s) => s.gateways);
  const agents = useApp((s) => s.agents);
  const loading = useApp((s) => s.loading);
  const now = useNow(10_000);
  usePollGateways();
  const add = (
    <a className="btn btn-primary" href={href.gatewayNew()}>
      <Icon name="plus" /> Add gateway
    </a>
  );
  return (
    <div className="page">
      <PageHeader title="Gateways" subtitle="OpenClaw gateways this Mission Control provisions agents on." actions={add} />
      {!loading && gateways.length === 0 ? (
        <Empty icon="gateway" title="No gateways yet" action={add}>
          Add the OpenClaw gateway running on this machine (it is detected for you) or a remote one by its ws:// or wss:// URL.
        </Empty>
      ) : (
        <DataTable columns={['Name', 'Connection', 'Version', 'Agents', 'Last connected', 'Problem']} wrap>
          {gateways.map((g) => (
            <tr key={g.id}>
              <td>
                <a href={href.gateway(g.id)} className="strong">
                  {g.name}
                </a>
                <div className="muted small mono">{g.url}</div>
              </td>
              <td>
                <Pill tone={gatewayTone(g.connection_state)}>{g.connection_state}</Pill>
              </td>
              <td className="mono">{g.server_version ?? '—'}</td>
              <td className="num">{agents.filter((a) => a.gateway_id === g.id).length}</td>
              <td>{relativeTime(g.last_connected_at, now)}</td>
              <td className="reason">{g.connection_state !== 'connected' && g.last_error ? g.last_error.message : ''}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
