import { useState } from 'react';
import type { TeardownResult } from '../../../../backend/contract/gateways';
import { ApiError } from '../../model/api/client';
import { ModalDialog } from '../../ui/components';

/*
 * Deleting a board or a gateway deletes its agents on the gateway first (#13 item 6). When the gateway
 * cannot do it, the server refuses (409 `agents_on_gateway`) and this dialog shows the choice it
 * offers: retry once the gateway is back, or delete only the records and leave the agents running
 * there — said in so many words, never silently.
 */

interface Refusal {
  message: string;
  next_step: string | null;
  agents: { name: string; gateway_agent_id: string }[];
}

function refusalOf(err: unknown): Refusal | null {
  if (!(err instanceof ApiError) || err.status !== 409 || !err.detail || typeof err.detail !== 'object') return null;
  const d = err.detail as Record<string, unknown>;
  if (d.code !== 'agents_on_gateway') return null;
  return {
    message: String(d.message ?? err.message),
    next_step: typeof d.next_step === 'string' ? d.next_step : null,
    agents: Array.isArray(d.agents) ? (d.agents as Refusal['agents']) : [],
  };
}

export function TeardownDialog({
  title,
  what,
  agents,
  blocked,
  run,
  onDone,
  onCancel,
}: {
  title: string;
  /** “board” or “gateway”, as the sentences say it. */
  what: string;
  /** The agents that will be deleted on the gateway. */
  agents: { id: string; name: string }[];
  /** Why it cannot be deleted at all (e.g. a gateway that still has boards). */
  blocked?: string | null;
  run: (force: boolean) => Promise<TeardownResult>;
  onDone: (result: TeardownResult) => void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [error, setError] = useState<string | null>(null);

  const go = (force: boolean) => {
    setBusy(true);
    setError(null);
    run(force).then(
      (result) => {
        setBusy(false);
        onDone(result);
      },
      (err: unknown) => {
        setBusy(false);
        const r = refusalOf(err);
        if (r) setRefusal(r);
        else setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  const cancel = () => {
    if (!busy) onCancel();
  };
  const actions = (
    <>
      <button type="button" className="btn" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      {!blocked && refusal && (
        <button type="button" className="btn btn-danger" onClick={() => go(true)} disabled={busy}>
          Delete records, leave agents running
        </button>
      )}
      {!blocked && (
        <button
          type="button"
          className={`btn ${refusal ? 'btn-primary' : 'btn-danger'}`}
          onClick={() => go(false)}
          disabled={busy}
          autoFocus
        >
          {busy ? 'Deleting…' : refusal ? 'Retry' : `Delete ${what}`}
        </button>
      )}
    </>
  );
  return (
    <ModalDialog title={title} onCancel={cancel} actions={actions}>
      {blocked ? (
        <p>{blocked}</p>
      ) : refusal ? (
        <div role="alert">
          <p>{refusal.message}</p>
          {refusal.next_step && <p className="next-step">{refusal.next_step}</p>}
          <p>
            <strong>Leave them running?</strong> They keep their cron heartbeat and their shell on the gateway, with nobody supervising
            them, until you remove them there ({refusal.agents.map((a) => a.gateway_agent_id).join(', ')}).
          </p>
        </div>
      ) : agents.length > 0 ? (
        <>
          <p>
            Its {agents.length === 1 ? 'agent is' : `${agents.length} agents are`} deleted on the gateway first (workspace, sessions, cron
            heartbeat), then the {what} here:
          </p>
          <ul className="small">
            {agents.map((a) => (
              <li key={a.id}>{a.name}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>No agents run for this {what}; only its records are deleted.</p>
      )}
      {error && (
        <p className="text-bad" role="alert">
          {error}
        </p>
      )}
    </ModalDialog>
  );
}

/** What the notification says after a delete: every agent left on the gateway is named. */
export function teardownSummary(what: string, result: TeardownResult): { tone: 'ok' | 'bad'; text: string } {
  const left = result.agents.filter((a) => a.outcome === 'left_on_gateway');
  const deleted = result.agents.length - left.length;
  if (left.length === 0) return { tone: 'ok', text: `${what} deleted${deleted > 0 ? ` with ${deleted} agent(s) on the gateway` : ''}.` };
  return {
    tone: 'bad',
    text: `${what} deleted; ${left.length} agent(s) left running on the gateway: ${left.map((a) => a.gateway_agent_id).join(', ')}.`,
  };
}
