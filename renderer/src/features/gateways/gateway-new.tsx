import { useState, type FormEvent } from 'react';
import type { GatewayLiveStatus } from '../../../../backend/contract/gateways';
import { href } from '../../model/routes';
import { Alert, Field, PageHeader } from '../../ui/components';
import { navigate, useApp, useStores } from '../../ui/context';
import { Icon } from '../../ui/icons';
import { TransportSafety } from './transport-safety';

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
