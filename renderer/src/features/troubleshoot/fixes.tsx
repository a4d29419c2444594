import { useEffect, useState, type ReactNode } from 'react';
import type { CheckId, DoctorCheckResult, DoctorFix, DoctorFixResult } from '../../../../backend/contract/diagnostics';
import type { TemplateSyncProgress } from '../../../../backend/contract/templates';
import {
  actionKey,
  fixKey,
  fixRunsOf,
  verifyWaitSeconds,
  type DoctorState,
  type DoctorStore,
  type FixRun,
  type FlowAction,
} from '../../model/stores/doctor-store';
import { watchSyncProgress } from '../../model/stores/sync-store';
import { ConfirmDialog, Pill, Spinner } from '../../ui/components';
import { useStores } from '../../ui/context';
import { ProblemAlert, Progress } from '../../ui/flow';
import { isProblem, STATUS_TONE, STATUS_WORDS } from './check-status';
import type { Flow } from './flows';

/** A fix's template-sync progress (rotate, sync: n of N agents, over the event stream) while one runs. */
function useSyncProgress(running: boolean): TemplateSyncProgress | null {
  const { apiOptions } = useStores();
  const [progress, setProgress] = useState<TemplateSyncProgress | null>(null);
  useEffect(() => {
    if (!running) return;
    setProgress(null);
    const sub = watchSyncProgress(apiOptions, setProgress);
    return () => sub.close();
  }, [running, apiOptions]);
  return progress;
}

/**
 * Runs a fix (asking first when it is destructive) and reveals the log folder for reveal_logs. `confirming`
 * is the fix waiting in the confirm dialog ({@link ConfirmFix}).
 */
function useFixRunner(run: (fix: DoctorFix, confirm: boolean) => Promise<DoctorFixResult | null>, onFixed?: (fix: DoctorFix) => void) {
  const { bridge } = useStores();
  const [confirming, setConfirming] = useState<DoctorFix | null>(null);
  const go = async (fix: DoctorFix, confirm: boolean) => {
    const result = await run(fix, confirm);
    if (result?.path && fix.action === 'reveal_logs') await bridge?.revealFolder?.('logs');
    onFixed?.(fix);
  };
  return {
    confirming,
    start: (fix: DoctorFix) => (fix.destructive ? setConfirming(fix) : void go(fix, false)),
    cancel: () => setConfirming(null),
    confirm: () => {
      const f = confirming;
      setConfirming(null);
      if (f) void go(f, true);
    },
  };
}

/**
 * A fix's button. While a fix runs it stays focusable (aria-disabled, not disabled), so keyboard focus is not
 * thrown back to the page; `describedBy` points at what it addresses.
 */
function FixButton({
  fix,
  running,
  busy,
  describedBy,
  onRun,
}: {
  fix: DoctorFix;
  running: boolean;
  busy: boolean;
  describedBy?: string;
  onRun: () => void;
}) {
  return (
    <button
      type="button"
      className={`btn btn-sm ${fix.destructive ? 'btn-danger-ghost' : 'btn-primary'}`}
      aria-disabled={busy || undefined}
      aria-describedby={describedBy}
      onClick={() => {
        if (!busy) onRun();
      }}
    >
      {running ? `${fix.label.split(':')[0]}…` : fix.label}
    </button>
  );
}

/** A fix run: its progress while it runs, why it failed, or its verify result (the check run again). */
function FixRunView({
  run,
  progress,
  onCheckAgain,
  children,
}: {
  run: FixRun;
  progress: TemplateSyncProgress | null;
  onCheckAgain: () => void;
  /** More about the result (the other findings it addressed). */
  children?: ReactNode;
}) {
  const f = run.fix;
  if (run.running) {
    const wait = verifyWaitSeconds(f.action);
    return (
      <div className="fix-running" aria-live="polite">
        {progress && progress.phase !== 'finished' ? (
          <Progress
            done={progress.done}
            total={progress.total}
            label={
              progress.phase === 'verifying'
                ? `All ${progress.total} written — waiting for the agents to check in with their new tokens…`
                : `${progress.done} of ${progress.total} agents${progress.agent_name ? ` — ${progress.agent_name} ${progress.outcome ?? ''}` : ''}`
            }
          />
        ) : (
          <p className="muted small">
            <Spinner label="Fix running" /> Running “{f.label}”{wait ? `, then checking again for up to ${wait} s` : ''}…
          </p>
        )}
      </div>
    );
  }
  if (run.error) return <ProblemAlert problem={run.error} />;
  if (!run.result) return null;
  const v = run.result;
  return (
    <div className={`verify-result ${v.verified ? 'verified' : 'unverified'}`} role="status">
      <div className="verify-head">
        <Pill tone={v.verified ? 'ok' : 'warn'}>{v.verified ? 'verified' : 'not verified yet'}</Pill>
        <strong>{v.message}</strong>
      </div>
      <p className="small">
        Checked again — {v.verify.title}: {v.verify.explanation}
      </p>
      {v.path && (
        <p className="small">
          File: <span className="mono">{v.path}</span>
        </p>
      )}
      {children}
      {!v.verified && (
        <button type="button" className="btn btn-sm" onClick={onCheckAgain}>
          Check again
        </button>
      )}
    </div>
  );
}

/** The confirm dialog's wording for the destructive fixes other than re-provisioning. */
const CONFIRM_TEXT: Partial<Record<DoctorFix['action'], { title: string; label: string }>> = {
  rotate_tokens_and_sync: { title: 'Rotate tokens & re-sync?', label: 'Rotate tokens & re-sync' },
  trust_gateway_certificate: { title: 'Trust this certificate?', label: 'Trust certificate' },
};

function ConfirmFix({ fix, onCancel, onConfirm }: { fix: DoctorFix; onCancel: () => void; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      title={CONFIRM_TEXT[fix.action]?.title ?? 'Re-provision the agent?'}
      confirmLabel={CONFIRM_TEXT[fix.action]?.label ?? 'Re-provision'}
      danger
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
      <p>{fix.label}.</p>
      {fix.action === 'rotate_tokens_and_sync' ? (
        <ul className="what-happens">
          <li>Each agent in scope gets a new token, written into its AGENTS.md with the current templates.</li>
          <li>The old tokens are refused from that moment: the agents must re-read AGENTS.md, so each one is woken to do it.</li>
          <li>This is verified once every re-keyed agent has checked in with its new token.</li>
        </ul>
      ) : fix.action === 'trust_gateway_certificate' ? (
        <ul className="what-happens">
          <li>Compare this fingerprint with the certificate on the gateway host first (the check says how).</li>
          <li>From then on Mission Control accepts exactly this certificate for the gateway, without a CA.</li>
          <li>If the gateway ever presents another one, the connection is refused and the doctor says the certificate changed.</li>
        </ul>
      ) : (
        <p>Its workspace is rewritten with its current token and it starts a fresh session (it forgets its current conversation).</p>
      )}
    </ConfirmDialog>
  );
}

/** A check's own fixes (the report on the Troubleshoot page), each with its verify result. */
export function Fixes({ check, s, store }: { check: DoctorCheckResult; s: DoctorState; store: DoctorStore }) {
  const runs = fixRunsOf(s.fixes, check.id);
  const anyRunning = runs.some(([, r]) => r.running);
  const progress = useSyncProgress(anyRunning);
  // Other checks offering the same action (rotate & re-sync: token drift and template drift) run again after it,
  // so the report never keeps offering a fix that already ran.
  const alsoOffering = (fix: DoctorFix) =>
    Object.values(s.checks)
      .filter((c) => c && c.id !== check.id && isProblem(c) && c.fixes.some((f) => actionKey(f) === actionKey(fix)))
      .map((c) => c!.id);
  const runner = useFixRunner((fix, confirm) => store.getState().applyFix(check.id, fix, confirm, alsoOffering(fix)));
  return (
    <div className="fixes">
      <div className="fix-buttons">
        {check.fixes.map((f) => (
          <FixButton
            key={fixKey(check.id, f)}
            fix={f}
            running={!!s.fixes[fixKey(check.id, f)]?.running}
            busy={anyRunning}
            onRun={() => runner.start(f)}
          />
        ))}
      </div>
      {runs.map(([key, r]) => (
        <FixRunView key={key} run={r} progress={progress} onCheckAgain={() => void store.getState().runChecks([check.id])} />
      ))}
      {runner.confirming && <ConfirmFix fix={runner.confirming} onCancel={runner.cancel} onConfirm={runner.confirm} />}
    </div>
  );
}

/**
 * A guided flow's fixes: each distinct action once (same action + target + board), naming the findings it
 * addresses; it runs through the first check that offers it, and the others run again after it.
 */
export function FlowFixes({ flow, actions, s, store }: { flow: Flow; actions: FlowAction[]; s: DoctorState; store: DoctorStore }) {
  const anyRunning = actions.some((a) => a.run?.running);
  const progress = useSyncProgress(anyRunning);
  const checksOf = (fix: DoctorFix) => actions.find((x) => x.key === actionKey(fix))?.checkIds ?? [];
  const runner = useFixRunner(
    (fix, confirm) => {
      const [first, ...also] = checksOf(fix);
      return first ? store.getState().applyFix(first, fix, confirm, also) : Promise.resolve(null);
    },
    // The flow's other checks again (the store re-ran the ones the fix addressed): one fix may clear or reveal another finding.
    (fix) => void store.getState().runChecks(flow.checks.filter((id) => !checksOf(fix).includes(id))),
  );
  const title = (id: CheckId) => s.checks[id]?.title ?? id;
  return (
    <>
      <ul className="flow-actions" aria-label="Actions">
        {actions.map((a) => {
          const addressesId = `addresses-${a.key.replace(/[^\w-]/g, '_')}`;
          const others = a.run?.result ? a.run.addresses.slice(1) : [];
          return (
            <li key={a.key} className="flow-fix">
              <FixButton
                fix={a.fix}
                running={!!a.run?.running}
                busy={anyRunning}
                describedBy={addressesId}
                onRun={() => runner.start(a.fix)}
              />
              <p id={addressesId} className="small muted addresses">
                Addresses: {a.checkIds.map((id) => `“${title(id)}”`).join(' and ')}
              </p>
              {a.run && (
                <FixRunView run={a.run} progress={progress} onCheckAgain={() => void store.getState().runChecks(a.run!.addresses)}>
                  {others.length > 0 && <p className="small muted">Also checked again:</p>}
                  {others.length > 0 && (
                    <ul className="also-checked small" aria-label="Also checked again">
                      {others.map((id) => {
                        const c = s.checks[id];
                        return (
                          <li key={id}>
                            {c ? <Pill tone={STATUS_TONE[c.status]}>{STATUS_WORDS[c.status]}</Pill> : <Spinner label={`Running ${id}`} />}{' '}
                            {title(id)}
                            {c && !s.checking[id] && isProblem(c) ? `: ${c.explanation}` : ''}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </FixRunView>
              )}
            </li>
          );
        })}
      </ul>
      {runner.confirming && <ConfirmFix fix={runner.confirming} onCancel={runner.cancel} onConfirm={runner.confirm} />}
    </>
  );
}
