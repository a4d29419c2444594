import type { ReactNode } from 'react';
import type { AgentRead } from '../../../backend/contract/agents';
import { useStore } from '../store';

function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function OverviewPage() {
  const totals = useStore((s) => s.totals);
  const agents = useStore((s) => s.agents);
  const by = (status: string) => agents.filter((a) => a.status === status).length;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <dl className="stats">
        <div>
          <dt>Gateways</dt>
          <dd>{totals.gateways}</dd>
        </div>
        <div>
          <dt>Boards</dt>
          <dd>{totals.boards}</dd>
        </div>
        <div>
          <dt>Agents online</dt>
          <dd>{by('online')}</dd>
        </div>
        <div>
          <dt>Provisioning</dt>
          <dd>{by('provisioning')}</dd>
        </div>
        <div>
          <dt>Offline</dt>
          <dd>{by('offline')}</dd>
        </div>
      </dl>
      {totals.gateways === 0 && (
        <Empty>No gateway yet. Add one through the API (POST /api/v1/gateways) to start provisioning agents.</Empty>
      )}
    </section>
  );
}

export function GatewaysPage() {
  const gateways = useStore((s) => s.gateways);
  return (
    <section aria-labelledby="gw-title">
      <h1 id="gw-title">Gateways</h1>
      {gateways.length === 0 ? (
        <Empty>No gateways yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Token</th>
              <th scope="col">Workspace root</th>
            </tr>
          </thead>
          <tbody>
            {gateways.map((g) => (
              <tr key={g.id}>
                <td>{g.name}</td>
                <td>{g.url}</td>
                <td>{g.has_token ? 'set' : 'none'}</td>
                <td>{g.workspace_root}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function BoardsPage() {
  const boards = useStore((s) => s.boards);
  return (
    <section aria-labelledby="boards-title">
      <h1 id="boards-title">Boards</h1>
      {boards.length === 0 ? (
        <Empty>No boards yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Approval for done</th>
              <th scope="col">Max agents</th>
            </tr>
          </thead>
          <tbody>
            {boards.map((b) => (
              <tr key={b.id}>
                <td>{b.name}</td>
                <td>{b.board_type}</td>
                <td>{b.require_approval_for_done ? 'required' : 'not required'}</td>
                <td>{b.max_agents}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function StatusPill({ agent }: { agent: AgentRead }) {
  return <span className={`pill pill-${agent.status}`}>{agent.status}</span>;
}

export function AgentsPage() {
  const agents = useStore((s) => s.agents);
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      {agents.length === 0 ? (
        <Empty>No agents yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Wakes</th>
              <th scope="col">Last seen</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{a.is_gateway_main ? 'gateway main' : a.is_board_lead ? 'lead' : 'worker'}</td>
                <td>
                  <StatusPill agent={a} />
                </td>
                <td>{a.wake_attempts}</td>
                <td>{a.last_seen_at ? new Date(a.last_seen_at).toLocaleString() : 'never'}</td>
                <td>{a.last_provision_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
