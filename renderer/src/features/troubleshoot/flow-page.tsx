import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { DoctorCheckResult } from '../../../../backend/contract/diagnostics';
import { href } from '../../model/routes';
import { actionKey, flowActions, type DoctorStore } from '../../model/stores/doctor-store';
import { Alert, PageHeader, Pill, Spinner } from '../../ui/components';
import { ProblemAlert } from '../../ui/flow';
import { Icon } from '../../ui/icons';
import { isProblem, STATUS_TONE } from './check-status';
import { FlowFixes } from './fixes';
import type { Flow } from './flows';
import { CheckItem } from './doctor-overview';

/** A guided flow: the symptom, the live evidence of its checks, what it means, the action, the verify result. */
export function FlowPage({ flow, store }: { flow: Flow; store: DoctorStore }) {
  const s = useStore(store);
  useEffect(() => {
    void store.getState().runChecks(flow.checks);
  }, [store, flow]);
  const results = flow.checks.map((id) => s.checks[id]).filter((c): c is DoctorCheckResult => !!c);
  const loaded = results.length === flow.checks.length;
  const busy = flow.checks.some((id) => s.checking[id]);
  const findings = results.filter(isProblem);
  const actions = flowActions(flow.checks, s.checks, s.fixes);
  const ran = actions.flatMap((a) => (a.run ? [a.run] : []));
  const verified = ran.some((r) => r.result?.verified);
  // What was found before any fix ran: the explanation stays readable after the fix made the checks pass
  // (findingIds stands for findings in the effect's dependencies).
  const [found, setFound] = useState<DoctorCheckResult[]>([]);
  const findingIds = findings.map((c) => `${c.id}:${c.explanation}`).join('|');
  useEffect(() => {
    if (loaded && ran.length === 0) setFound(findings);
  }, [loaded, ran.length, findingIds]);
  const explained = ran.length > 0 ? found : findings;
  return (
    <div className="page narrow-wide">
      <PageHeader
        title={flow.symptom}
        crumbs={<a href={href.troubleshoot()}>Troubleshoot</a>}
        subtitle={flow.sees}
        actions={
          <button
            type="button"
            className="btn"
            aria-disabled={busy || undefined}
            onClick={() => {
              if (!busy) void store.getState().runChecks(flow.checks);
            }}
          >
            {busy ? 'Checking…' : 'Check again'}
          </button>
        }
      />
      {s.error && <ProblemAlert problem={s.error} />}
      <ol className="flow" aria-label="Guided steps">
        <FlowStep n={1} title="Live evidence" done={loaded}>
          {!loaded ? (
            <p className="muted loading-line">
              <Spinner label="Running the checks" /> Running {flow.checks.length} checks…
            </p>
          ) : (
            <ul className="checks" aria-label="Evidence">
              {results.map((c) => (
                <li key={c.id}>
                  <CheckItem check={c} s={s} store={store} open={isProblem(c)} withFixes={false} />
                </li>
              ))}
            </ul>
          )}
        </FlowStep>
        <FlowStep n={2} title="What it means" done={loaded}>
          {loaded && explained.length === 0 ? (
            <Alert tone="ok" title="Nothing wrong right now">
              {flow.allClear} If you still see it, run all checks or create a support bundle on the{' '}
              <a href={href.troubleshoot()}>Troubleshoot page</a>.
            </Alert>
          ) : (
            <>
              <p>{flow.means}</p>
              {ran.length > 0 && <p className="muted small">Found before the fix:</p>}
              {explained.map((c) => (
                <p key={c.id} className="finding">
                  <Pill tone={STATUS_TONE[c.status]}>{c.title}</Pill> {c.explanation}
                </p>
              ))}
            </>
          )}
        </FlowStep>
        <FlowStep n={3} title="Fix" done={ran.length > 0}>
          {!loaded ? (
            <p className="muted">Waiting for the evidence.</p>
          ) : actions.length === 0 ? (
            <p className="muted">
              {findings.length ? 'No one-click fix for this: follow the explanation above, then check again.' : 'Nothing to fix.'}
            </p>
          ) : (
            <FlowFixes flow={flow} actions={actions} s={s} store={store} />
          )}
        </FlowStep>
        <FlowStep n={4} title="Verify" done={verified} last>
          {ran.length === 0 ? (
            <p className="muted">Each fix runs its check again and shows the result next to its button.</p>
          ) : verified ? (
            <Alert tone="ok" title="Verified">
              {ran
                .filter((r) => r.result?.verified)
                .map((r) => (
                  <p key={actionKey(r.fix)}>
                    <strong>{r.fix.label}</strong> — then “{s.checks[r.checkId]?.title ?? r.checkId}” ran again: the finding it addressed is
                    gone.
                  </p>
                ))}
            </Alert>
          ) : ran.some((r) => r.running) ? (
            <p className="muted">Waiting for the fix and its check…</p>
          ) : (
            <Alert tone="warn" title="Not verified yet">
              The check still sees the problem. Wait a moment and check again, or try the next fix.
            </Alert>
          )}
        </FlowStep>
      </ol>
      <p className="muted small">
        <a href={href.troubleshoot()}>← Other symptoms</a>
      </p>
    </div>
  );
}

function FlowStep({ n, title, done, last, children }: { n: number; title: string; done: boolean; last?: boolean; children: ReactNode }) {
  return (
    <li className={`flow-step ${done ? 'flow-step-done' : ''} ${last ? 'flow-step-last' : ''}`}>
      <span className="flow-marker" aria-hidden="true">
        {done ? <Icon name="check" size={14} /> : n}
      </span>
      <section className="flow-content surface" aria-label={title}>
        <h2>{title}</h2>
        {children}
      </section>
    </li>
  );
}
