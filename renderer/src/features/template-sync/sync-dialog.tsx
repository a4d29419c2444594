import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { type SyncMode, type SyncStore } from '../../model/stores/sync-store';
import { Modal, ProblemAlert, Steps } from '../../ui/flow';
import type { Scope } from './scope';
import { plural } from '../../model/format';
import { RunProgress, SyncResult } from './sync-result';
import { Options, Preview, RotateConfirm } from './sync-steps';

export function SyncDialog({
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
