import { useId } from 'react';
import { type SyncState, type SyncStore } from '../../model/stores/sync-store';
import { Alert } from '../../ui/components';
import { useApp } from '../../ui/context';
import { ProblemAlert } from '../../ui/flow';
import { DriftAgent, DriftSummary, roleLabel } from './drift-summary';
import type { Scope } from './scope';
import { plural } from '../../model/format';

/** Board / main agent / leads only: what the preview and the sync cover. */
function ScopeFields({ s, store, scope, onChange }: { s: SyncState; store: SyncStore; scope: Scope; onChange?: () => void }) {
  const boardSelect = useId();
  const set = (patch: Parameters<SyncState['setOptions']>[0]) => {
    store.getState().setOptions(patch);
    onChange?.();
  };
  return (
    <div className="scope" role="group" aria-label="Which agents">
      <div className="scope-board">
        <label htmlFor={boardSelect}>Board</label>
        <select id={boardSelect} value={s.options.board_id ?? ''} onChange={(e) => set({ board_id: e.target.value || null })}>
          <option value="">All boards of this gateway</option>
          {scope.boards.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input type="checkbox" checked={s.options.include_main} onChange={(e) => set({ include_main: e.target.checked })} /> Include the
        gateway’s main agent
      </label>
      <label className="check">
        <input type="checkbox" checked={s.options.lead_only} onChange={(e) => set({ lead_only: e.target.checked })} /> Board leads only
      </label>
    </div>
  );
}

export function Preview({ s, store, scope }: { s: SyncState; store: SyncStore; scope: Scope }) {
  const d = s.drift;
  return (
    <>
      <ScopeFields s={s} store={store} scope={scope} onChange={() => void store.getState().loadDrift()} />
      {s.driftError ? (
        <ProblemAlert
          problem={s.driftError}
          action={
            <button type="button" className="btn btn-sm" onClick={() => void store.getState().loadDrift()}>
              Try again
            </button>
          }
        />
      ) : !d ? (
        <p className="muted loading-line">Reading every workspace on the gateway…</p>
      ) : (
        <div className={s.driftLoading ? 'stale' : ''} aria-busy={s.driftLoading}>
          <DriftSummary drift={d} />
          {d.agents.length === 0 ? (
            <p className="muted">No agent in this scope.</p>
          ) : (
            <ul className="drift-agents" aria-label="Drift per agent">
              {d.agents.map((a) => (
                <DriftAgent key={a.agent_id} agent={a} role={roleLabel(a, scope.agents)} />
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

export function Options({ s, store, scope, onBack }: { s: SyncState; store: SyncStore; scope: Scope; onBack: () => void }) {
  const d = s.drift;
  const ownChanged = d?.agents.flatMap((a) => a.files.filter((f) => f.preserved && f.status !== 'in_sync')).length ?? 0;
  const board = scope.boards.find((b) => b.id === s.options.board_id);
  const set = store.getState().setOptions;
  return (
    <div className="sync-options">
      <p>
        <strong>Scope:</strong> {board ? `board “${board.name}”` : 'every board'}
        {s.options.lead_only ? ', leads only' : ''}
        {s.options.include_main ? ', and the gateway’s main agent' : ', main agent left out'} —{' '}
        {d ? plural(d.summary.agents, 'agent') : '…'}.{' '}
        <button type="button" className="link-btn" onClick={onBack}>
          Change
        </button>
      </p>
      <label className="check option">
        <input type="checkbox" checked={s.options.overwrite} onChange={(e) => set({ overwrite: e.target.checked })} />
        <span>
          <strong>Overwrite the agents’ own files</strong>
          <span className="hint">
            USER.md and MEMORY.md are the agent’s notes; normally they are kept.{' '}
            {ownChanged ? `${plural(ownChanged, 'of them differs', 'of them differ')} now and would be replaced.` : 'None differs now.'}
          </span>
        </span>
      </label>
      <label className="check option">
        <input type="checkbox" checked={s.options.reset_sessions} onChange={(e) => set({ reset_sessions: e.target.checked })} />
        <span>
          <strong>Start fresh sessions</strong>
          <span className="hint">The agents forget their current conversation and read the new files from the start.</span>
        </span>
      </label>
      {d && d.summary.token_mismatches > 0 && (
        <Alert tone="warn" title="Tokens stay as they are">
          A sync never re-keys silently: the {plural(d.summary.token_mismatches, 'agent')} whose token differs will be skipped and named in
          the result.
        </Alert>
      )}
    </div>
  );
}

export function RotateConfirm({ s, store, scope }: { s: SyncState; store: SyncStore; scope: Scope }) {
  const deadline = useApp((x) => x.settings?.checkin_deadline_seconds ?? null);
  return (
    <div className="rotate-confirm">
      <p className="lead-text">
        Use this when agents’ check-ins are refused (401) because the token in their workspace no longer matches — or to replace every token
        on purpose.
      </p>
      <ol className="what-happens">
        <li>Every agent in scope gets a new token, written into its AGENTS.md together with the current templates.</li>
        <li>
          <strong>The old tokens stop working at once.</strong> An agent that still uses one is refused until it re-reads AGENTS.md.
        </li>
        <li>
          Each agent is woken to re-read its token; Mission Control waits{deadline ? ` up to ${Math.min(deadline, 240)} s` : ''} for its
          check-in and shows who checked in with the new token.
        </li>
      </ol>
      <ScopeFields s={s} store={store} scope={scope} />
    </div>
  );
}
