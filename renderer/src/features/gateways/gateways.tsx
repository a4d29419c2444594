import { useEffect, useState, type FormEvent } from 'react';
import type { GatewayLiveStatus, GatewayRead } from '../../../../backend/contract/gateways';
import { Icon } from '../../ui/icons';
import { Alert, Card, Empty, Facts, Field, PageHeader, Pill, StatusPill } from '../../ui/components';
import { navigate, useApp, useAppShallow, useNow, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { formatDateTime, relativeTime, roleOf, type Tone } from '../../model/format';
import { href } from '../../model/routes';
import { TeardownDialog, teardownSummary } from './teardown-dialog';
import { TemplatesSection } from '../template-sync';
import { TransportSafety } from './transport-safety';

export const gatewayTone = (state: GatewayRead['connection_state']): Tone =>
  state === 'connected' ? 'ok' : state === 'failed' ? 'bad' : state === 'connecting' || state === 'waiting' ? 'warn' : 'muted';

/**
 * Gateway health arrives live on the event stream (`event: gateway`, applied by the app store). This
 * slow re-read is only a reconcile, for anything the stream cannot say (a gateway added elsewhere).
 */
function usePollGateways(ms = 60_000) {
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
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Connection</th>
                <th scope="col">Version</th>
                <th scope="col">Agents</th>
                <th scope="col">Last connected</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The classified result of a connection test, in plain words with the next step. */
export function TestResult({ result }: { result: GatewayLiveStatus }) {
  if (result.ok) {
    return (
      <Alert tone="ok" title="Connected">
        OpenClaw {result.server_version ?? '?'} · protocol {result.protocol_version ?? '?'} · {result.methods.length} methods · signed in
        with {result.auth_method === 'device-token' ? 'this app’s device token' : 'the gateway token'}.
      </Alert>
    );
  }
  const e = result.error;
  return (
    <Alert tone="bad" title={e ? e.message : 'Could not connect'}>
      {e && <p className="next-step">What to do: {e.next_step}</p>}
      {e && (
        <details>
          <summary>
            Details <span className="mono muted">({e.code})</span>
          </summary>
          <p className="mono small">{e.detail}</p>
        </details>
      )}
    </Alert>
  );
}

export function GatewayNewPage() {
  const { api } = useStores();
  const discovered = useApp((s) => s.discovered);
  const createGateway = useApp((s) => s.createGateway);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [useDiscovered, setUseDiscovered] = useState(false);
  const [workspaceRoot, setWorkspaceRoot] = useState('~/.openclaw');
  const [insecure, setInsecure] = useState(false);
  const [cleartext, setCleartext] = useState(false);
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<GatewayLiveStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const offer = discovered?.found && !discovered.already_added_gateway_id ? discovered : null;

  const useOffer = () => {
    if (!offer?.url) return;
    setName((n) => n || 'This machine');
    setUrl(offer.url);
    setUseDiscovered(offer.has_token);
    setToken('');
    setResult(null);
  };
  const connection = () => ({
    url: url.trim(),
    token: !useDiscovered && token ? token : null,
    allow_insecure_tls: insecure,
    allow_cleartext: cleartext,
    use_discovered_token: useDiscovered,
  });
  const test = async () => {
    setTesting(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api('testGateway', { body: connection() }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setTesting(false);
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const gw = await createGateway({ name: name.trim(), workspace_root: workspaceRoot.trim(), ...connection() });
      navigate(href.gateway(gw.id));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page narrow">
      <PageHeader
        title="Add a gateway"
        crumbs={<a href={href.gateways()}>Gateways</a>}
        subtitle="Mission Control connects with its own device identity, then provisions the gateway’s main agent."
      />
      {offer && (
        <div className="offer" role="region" aria-label="Detected gateway">
          <div className="offer-icon">
            <Icon name="spark" />
          </div>
          <div className="offer-body">
            <strong>OpenClaw gateway found on this machine</strong>
            <p className="small">
              <span className="mono">{offer.url}</span> · from <span className="mono">{offer.config_path}</span>
              {offer.has_token ? ' · its token stays in Mission Control’s backend' : ' · no token configured'}
            </p>
          </div>
          <button type="button" className="btn btn-primary" onClick={useOffer}>
            Use this gateway
          </button>
        </div>
      )}
      {discovered?.problem && (
        <Alert tone="warn" title="A local gateway config was found but could not be read">
          {discovered.problem}
        </Alert>
      )}
      <form className="card form" onSubmit={save} aria-label="New gateway">
        <Field label="Name" hint="How this gateway is shown here, e.g. “This machine” or “Build server”.">
          {(id, d) => <input id={id} aria-describedby={d} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Gateway URL" hint="ws:// or wss:// with the port, e.g. ws://127.0.0.1:18789">
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              required
              className="mono"
              placeholder="ws://127.0.0.1:18789"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                setResult(null);
              }}
            />
          )}
        </Field>
        {useDiscovered ? (
          <div className="field">
            <span className="label">Gateway token</span>
            <p className="using-discovered">
              <Icon name="check" /> Using the token from the detected config.{' '}
              <button type="button" className="link-btn" onClick={() => setUseDiscovered(false)}>
                Enter one instead
              </button>
            </p>
          </div>
        ) : (
          <Field
            label="Gateway token"
            hint="gateway.auth.token of the gateway. Leave empty on a loopback gateway that pairs this app’s device."
          >
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                type="password"
                autoComplete="off"
                value={token}
                onChange={(e) => setToken(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field label="Workspace root" hint="Where the gateway keeps agent workspaces.">
          {(id, d) => (
            <input id={id} aria-describedby={d} className="mono" value={workspaceRoot} onChange={(e) => setWorkspaceRoot(e.target.value)} />
          )}
        </Field>
        <TransportSafety url={url} insecure={insecure} setInsecure={setInsecure} cleartext={cleartext} setCleartext={setCleartext} />
        <div className="test-slot" aria-live="polite">
          {result && <TestResult result={result} />}
          {error && (
            <Alert tone="bad" title="Not saved">
              {error}
            </Alert>
          )}
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => void test()} disabled={testing || !url.trim()}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving || !url.trim() || !name.trim()}>
            {saving ? 'Connecting and saving…' : 'Save gateway'}
          </button>
        </div>
      </form>
    </div>
  );
}

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
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
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
