import { useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import type { AgentRead } from '../../../../backend/contract/agents';
import type { BoardRead } from '../../../../backend/contract/boards';
import type { GatewayRead } from '../../../../backend/contract/gateways';
import type { FileDriftStatus, TemplateDriftResult, TemplateSyncResult, WorkspaceTokenState } from '../../../../backend/contract/templates';
import { DiffView, Modal, Progress, ProblemAlert, Steps } from '../../ui/flow';
import { Icon } from '../../ui/icons';
import { Alert, Card, Pill } from '../../ui/components';
import { useApp, useRoute, useStores } from '../../ui/context';
import { useResource } from '../../ui/use-resource';
import { formatDateTime, roleOf, type Tone } from '../../model/format';
import { href } from '../../model/routes';
import { createSyncStore, watchSyncProgress, type SyncMode, type SyncState, type SyncStore } from '../../model/stores/sync-store';

/*
 * Gateway detail → Templates: “Sync templates” (drift preview → options → progress → result) and
 * “Rotate tokens & re-sync” (confirm → progress → verify result). One sync store per gateway page.
 */

const FILE_TONE: Record<FileDriftStatus, Tone> = { in_sync: 'ok', drifted: 'warn', missing: 'bad', unsupported: 'muted' };
const FILE_WORDS: Record<FileDriftStatus, string> = {
  in_sync: 'in sync',
  drifted: 'changed on the gateway',
  missing: 'missing',
  unsupported: 'not supported by this gateway',
};

export function TokenPill({ state }: { state: WorkspaceTokenState | null }) {
  if (state === null) return <Pill tone="muted">token not read</Pill>;
  if (state === 'match') return <Pill tone="ok">token matches</Pill>;
  return (
    <Pill tone="bad" title="Its check-ins are refused (401) until the token is re-keyed">
      {state === 'mismatch' ? 'token differs' : 'no token'}
    </Pill>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

interface Scope {
  gateway: GatewayRead;
  boards: BoardRead[];
  agents: AgentRead[];
}

export function TemplatesSection({ gateway, boards, agents }: Scope) {
  const { api, apiOptions } = useStores();
  const [store] = useState(() => {
    const created = createSyncStore(api);
    created.getState().open(gateway.id);
    return created;
  });
  const [dialog, setDialog] = useState<SyncMode | null>(null);
  // The boards to scope by, read fresh when a dialog opens (one may have been created since the page loaded).
  const { data: fresh } = useResource<BoardRead[]>(
    () => api('listBoards', { query: { gateway_id: gateway.id } }).then((page) => page.items),
    [api, dialog, gateway.id],
    { enabled: dialog !== null },
  );
  const last = useStore(store, (s) => s.last?.result ?? null);
  const lastMode = useStore(store, (s) => s.last?.mode ?? null);
  useEffect(() => store.getState().open(gateway.id), [store, gateway.id]);
  // Progress of any sync of this gateway (ours, the doctor's, the CLI's) while the page is open.
  useEffect(() => {
    const sub = watchSyncProgress(apiOptions, (p) => store.getState().applyProgress(p));
    return () => sub.close();
  }, [apiOptions, store]);
  const connected = gateway.connection_state === 'connected';
  // `#/gateways/<id>?sync=templates` (the Overview's “Review & sync”) opens the dialog once; the address
  // goes back to the plain page so a reload or Back does not open it again.
  const route = useRoute();
  const syncRequested = route.page === 'gateway' && route.id === gateway.id && route.sync === true;
  useEffect(() => {
    if (!syncRequested) return;
    setDialog('sync');
    window.history.replaceState(null, '', href.gateway(gateway.id));
  }, [syncRequested, gateway.id]);

  return (
    <Card
      title="Templates"
      className="templates-card"
      actions={
        <div className="row-actions">
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setDialog('sync')}>
            Sync templates…
          </button>
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setDialog('rotate')}>
            Rotate tokens &amp; re-sync…
          </button>
        </div>
      }
    >
      <p className="muted">
        Every agent’s workspace files (AGENTS.md with its check-in token, SOUL.md, IDENTITY.md, USER.md, MEMORY.md) are written from{' '}
        <code>templates/</code>. Preview what differs on the gateway before re-syncing; an agent’s own USER.md and MEMORY.md are kept unless
        you choose to overwrite them.
      </p>
      {!connected && (
        <p className="small text-bad">The gateway is {gateway.connection_state}: the preview and the sync need it connected.</p>
      )}
      {last && (
        <p className="small sync-last">
          <Icon name={last.errors.length ? 'warn' : 'check'} size={14} /> Last {lastMode === 'rotate' ? 'rotation' : 'sync'}{' '}
          {formatDateTime(last.finished_at)}: {resultHeadline(last)}
        </p>
      )}
      {dialog && <SyncDialog store={store} mode={dialog} setMode={setDialog} scope={{ gateway, boards: fresh ?? boards, agents }} />}
    </Card>
  );
}

function resultHeadline(r: TemplateSyncResult): string {
  const rotated = r.agents.filter((a) => a.token_rotated).length;
  return [
    `${plural(r.agents_updated, 'agent')} updated`,
    `${r.agents_skipped} skipped`,
    ...(r.rotate_tokens ? [`${plural(rotated, 'token')} rotated`] : []),
    plural(r.errors.length, 'error'),
  ].join(', ');
}

function SyncDialog({
  store,
  mode,
  setMode,
  scope,
}: {
  store: SyncStore;
  mode: SyncMode;
  setMode: (m: SyncMode | null) => void;
  scope: Scope;
}) {
  const s = useStore(store);
  const [step, setStep] = useState<'preview' | 'options'>('preview');
  useEffect(() => {
    store.getState().reset();
    if (mode === 'sync') void store.getState().loadDrift();
  }, [store, mode]);

  const close = () => {
    store.getState().reset();
    setMode(null);
  };
  const phase = s.running ? 'progress' : s.result || s.error ? 'result' : mode === 'rotate' ? 'confirm' : step;
  const steps = mode === 'sync' ? ['Preview', 'Options', 'Sync', 'Result'] : ['Confirm', 'Rotate & re-sync', 'Verify'];
  const current =
    mode === 'sync'
      ? { preview: 0, options: 1, progress: 2, result: 3, confirm: 0 }[phase]
      : { confirm: 0, preview: 0, options: 0, progress: 1, result: 2 }[phase];
  const title = mode === 'sync' ? `Sync templates — ${scope.gateway.name}` : `Rotate tokens & re-sync — ${scope.gateway.name}`;

  let body: React.ReactNode;
  let footer: React.ReactNode;
  if (phase === 'progress') {
    body = <RunProgress s={s} mode={mode} />;
    footer = (
      <button type="button" className="btn" disabled>
        {mode === 'rotate' ? 'Rotating…' : 'Syncing…'}
      </button>
    );
  } else if (phase === 'result') {
    body = s.error ? (
      <>
        <ProblemAlert problem={s.error} />
        {s.progress && s.progress.phase !== 'finished' && <RunProgress s={s} mode={mode} />}
      </>
    ) : (
      s.result && <SyncResult result={s.result} mode={s.resultMode ?? mode} scope={scope} onRotate={() => setMode('rotate')} />
    );
    footer = (
      <>
        {mode === 'sync' && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              store.getState().reset();
              setStep('preview');
              void store.getState().loadDrift(true);
            }}
          >
            Check drift again
          </button>
        )}
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          Done
        </button>
      </>
    );
  } else if (phase === 'confirm') {
    body = <RotateConfirm s={s} store={store} scope={scope} />;
    footer = (
      <>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={() => void store.getState().run('rotate')}>
          Rotate tokens &amp; re-sync
        </button>
      </>
    );
  } else if (phase === 'preview') {
    body = <Preview s={s} store={store} scope={scope} />;
    footer = (
      <>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={s.driftLoading || !s.drift} onClick={() => setStep('options')}>
          Continue
        </button>
      </>
    );
  } else {
    body = <Options s={s} store={store} scope={scope} onBack={() => setStep('preview')} />;
    footer = (
      <>
        <button type="button" className="btn" onClick={() => setStep('preview')}>
          Back
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void store.getState().run('sync')}>
          Sync {s.drift ? plural(s.drift.summary.agents, 'agent') : 'now'}
        </button>
      </>
    );
  }
  return (
    <Modal title={title} subtitle={<span className="mono">{scope.gateway.url}</span>} busy={!!s.running} onClose={close} footer={footer}>
      <Steps steps={steps} current={current} />
      {body}
    </Modal>
  );
}

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

function Preview({ s, store, scope }: { s: SyncState; store: SyncStore; scope: Scope }) {
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

const roleLabel = (a: { agent_id: string; is_main: boolean }, agents: AgentRead[]) => {
  const known = agents.find((x) => x.id === a.agent_id);
  return known ? roleOf(known) : a.is_main ? 'gateway main' : 'worker';
};

function DriftSummary({ drift }: { drift: TemplateDriftResult }) {
  const x = drift.summary;
  const changed = x.drifted + x.missing;
  return (
    <>
      <div className="sync-stats" role="list" aria-label="Drift summary">
        <Stat n={x.agents} label={x.agents === 1 ? 'agent' : 'agents'} />
        <Stat n={x.in_sync} label="files in sync" tone="ok" />
        <Stat n={x.drifted} label="changed on the gateway" tone={x.drifted ? 'warn' : 'muted'} />
        <Stat n={x.missing} label="missing" tone={x.missing ? 'bad' : 'muted'} />
        <Stat n={x.token_mismatches} label="token mismatches" tone={x.token_mismatches ? 'bad' : 'muted'} />
      </div>
      {changed === 0 && x.token_mismatches === 0 ? (
        <Alert tone="ok" title="Every workspace matches the templates">
          A sync would rewrite the same content. Checked {formatDateTime(drift.checked_at)}.
        </Alert>
      ) : (
        x.token_mismatches > 0 && (
          <Alert tone="warn" title={`${plural(x.token_mismatches, 'agent')} hold a token Mission Control does not accept`}>
            Their check-ins are refused (401). A sync skips them and says so; “Rotate tokens &amp; re-sync” gives them new tokens.
          </Alert>
        )
      )}
    </>
  );
}

function Stat({ n, label, tone = 'info' }: { n: number; label: string; tone?: Tone }) {
  return (
    <div className={`sync-stat tone-${tone}`} role="listitem">
      <span className="sync-stat-n">{n}</span>
      <span className="sync-stat-label">{label}</span>
    </div>
  );
}

function DriftAgent({ agent, role }: { agent: TemplateDriftResult['agents'][number]; role: string }) {
  const changed = agent.files.filter((f) => f.status === 'drifted' || f.status === 'missing');
  return (
    <li>
      <details open={changed.length > 0 || agent.token === 'mismatch' || !!agent.error}>
        <summary>
          <span className="drift-name">{agent.agent_name}</span>
          <span className="muted small">{role}</span>
          {agent.paused && <Pill tone="warn">board paused</Pill>}
          <TokenPill state={agent.token} />
          <span className="drift-count small">
            {changed.length ? plural(changed.length, 'file differs', 'files differ') : 'files in sync'}
          </span>
        </summary>
        {agent.error && <p className="small text-bad">Could not read its workspace: {agent.error}</p>}
        {agent.paused && <p className="small muted">Its board is paused (/pause in the board chat): a sync skips it until /resume.</p>}
        <ul className="drift-files" aria-label={`Files of ${agent.agent_name}`}>
          {agent.files.map((f) => (
            <li key={f.name} className={`drift-file file-${f.status}`}>
              <div className="drift-file-head">
                <span className="mono strong">{f.name}</span>
                <Pill tone={FILE_TONE[f.status]}>{FILE_WORDS[f.status]}</Pill>
                {f.preserved && f.status !== 'in_sync' && (
                  <span className="badge" title="Replaced only with “Overwrite the agents’ own files”">
                    agent’s own file
                  </span>
                )}
                {f.note && <span className="muted small">{f.note}</span>}
              </div>
              {f.diff && <DiffView diff={f.diff} label={`Changes to ${f.name} of ${agent.agent_name}`} />}
              {f.too_large && <p className="small muted">{f.too_large.message}</p>}
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}

function Options({ s, store, scope, onBack }: { s: SyncState; store: SyncStore; scope: Scope; onBack: () => void }) {
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

function RotateConfirm({ s, store, scope }: { s: SyncState; store: SyncStore; scope: Scope }) {
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

function RunProgress({ s, mode }: { s: SyncState; mode: SyncMode }) {
  const p = s.progress;
  const label = !p
    ? 'Connecting to the gateway…'
    : p.phase === 'verifying'
      ? `All ${p.total} written. Waiting for the agents to check in with their new tokens…`
      : p.phase === 'finished'
        ? `${p.done} of ${p.total} agents done.`
        : `${p.done} of ${p.total} agents${p.agent_name ? ` — ${p.agent_name} ${p.outcome ?? ''}` : ''}`;
  return (
    <div className="run-progress">
      <Progress done={p?.done ?? 0} total={p?.total ?? 0} label={label} />
      {s.progressLog.length > 0 && (
        <ul className="progress-log" aria-label="Agents done">
          {s.progressLog.map((e) => (
            <li key={e.agent_id}>
              <Pill tone={e.outcome === 'updated' ? 'ok' : e.outcome === 'failed' ? 'bad' : 'warn'}>{e.outcome ?? '…'}</Pill>
              <span>{e.agent_name}</span>
            </li>
          ))}
        </ul>
      )}
      {mode === 'rotate' && (
        <p className="muted small">New tokens are written first; then each agent is woken and has one check-in deadline.</p>
      )}
    </div>
  );
}

function SyncResult({ result, mode, scope, onRotate }: { result: TemplateSyncResult; mode: SyncMode; scope: Scope; onRotate: () => void }) {
  const rotate = mode === 'rotate';
  const failed = result.errors.length > 0;
  const checkedIn = result.agents.filter((a) => a.verify?.checked_in).length;
  const rotated = result.agents.filter((a) => a.token_rotated);
  const pausedNames = result.paused_board_ids.map((id) => scope.boards.find((b) => b.id === id)?.name ?? id);
  const headline = rotate ? `${checkedIn} of ${plural(rotated.length, 'agent')} checked in with the new token` : resultHeadline(result);
  const tone = failed ? 'warn' : rotate && checkedIn < rotated.length ? 'warn' : 'ok';
  return (
    <div className="sync-result">
      <Alert tone={tone} title={headline}>
        {rotate
          ? `${plural(rotated.length, 'token')} rotated; old tokens are refused from now on. ${
              checkedIn < rotated.length ? 'Agents that did not check in yet keep being woken by the check-in ladder.' : ''
            }`
          : `Main agent ${result.include_main ? (result.main_updated ? 'updated' : 'not updated') : 'not included'}.`}
      </Alert>
      <div className="sync-stats" role="list" aria-label="Sync result">
        <Stat n={result.agents_updated} label="updated" tone="ok" />
        <Stat n={result.agents_skipped} label="skipped" tone={result.agents_skipped ? 'warn' : 'muted'} />
        <Stat n={result.errors.length} label="errors" tone={failed ? 'bad' : 'muted'} />
        {rotate && <Stat n={checkedIn} label="checked in with new token" tone={checkedIn === rotated.length ? 'ok' : 'warn'} />}
      </div>
      {pausedNames.length > 0 && (
        <Alert
          tone="info"
          title={
            result.rotate_tokens
              ? `Re-keyed only: ${plural(pausedNames.length, 'paused board')}`
              : `Skipped: ${plural(pausedNames.length, 'paused board')}`
          }
        >
          {result.rotate_tokens
            ? `${pausedNames.join(', ')} — paused with /pause in the board chat: their tokens were rotated all the same; their own files and sessions were kept.`
            : `${pausedNames.join(', ')} — paused with /pause in the board chat. Send /resume there to include its agents next time.`}
        </Alert>
      )}
      {failed && (
        <div className="sync-errors" role="region" aria-label="Errors">
          <h3>Errors</h3>
          <ul>
            {result.errors.map((e, i) => (
              <li key={`${e.agent_id ?? 'gw'}-${i}`}>
                <strong>{e.agent_name ?? 'Gateway'}</strong>: {e.message}
              </li>
            ))}
          </ul>
          {!rotate && result.token_mismatches > 0 && (
            <button type="button" className="btn btn-sm btn-danger-ghost" onClick={onRotate}>
              Rotate tokens &amp; re-sync…
            </button>
          )}
        </div>
      )}
      <table className="table result-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Outcome</th>
            <th scope="col">Token before</th>
            {rotate ? (
              <>
                <th scope="col">Checked in with new token</th>
                <th scope="col">Old token refused</th>
              </>
            ) : (
              <>
                <th scope="col">Files written</th>
                <th scope="col">Kept</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {result.agents.map((a) => (
            <tr key={a.agent_id}>
              <td>
                <span className="strong">{a.agent_name}</span>
                {a.reason && <div className="muted small">{a.reason}</div>}
              </td>
              <td>
                <Pill tone={a.outcome === 'updated' ? 'ok' : a.outcome === 'failed' ? 'bad' : 'warn'}>{a.outcome}</Pill>
              </td>
              <td>
                <TokenPill state={a.token} />
              </td>
              {rotate ? (
                <>
                  <td>
                    {a.verify?.checked_in ? (
                      <span className="text-ok">
                        <Icon name="check" size={14} /> yes, {formatDateTime(a.verify.checked_in_at)}
                      </span>
                    ) : a.token_rotated ? (
                      <span className="text-warn">not yet</span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{a.verify?.old_token_refused ? <span className="text-ok">yes</span> : a.token_rotated ? 'no' : '—'}</td>
                </>
              ) : (
                <>
                  <td className="mono small">{a.files_written.join(', ') || '—'}</td>
                  <td className="mono small">{a.files_kept.join(', ') || '—'}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
