import { useState } from 'react';
import { useStore } from 'zustand';
import type { DoctorCheckResult } from '../../../../backend/contract/diagnostics';
import { formatDateTime, type Tone } from '../../model/format';
import { href } from '../../model/routes';
import { fixRunsOf, type DoctorState, type DoctorStore } from '../../model/stores/doctor-store';
import { Card, PageHeader, Pill, Spinner } from '../../ui/components';
import { useStores } from '../../ui/context';
import { ProblemAlert } from '../../ui/flow';
import { Icon } from '../../ui/icons';
import { isProblem, rank, SEVERITY, STATUS_TONE, STATUS_WORDS } from './check-status';
import { Evidence } from './evidence';
import { Fixes } from './fixes';
import { FLOWS } from './flows';

export function Overview({ store }: { store: DoctorStore }) {
  const s = useStore(store);
  const report = s.report;
  return (
    <div className="page">
      <PageHeader
        title="Troubleshoot"
        subtitle="The doctor checks gateways, agents, check-ins and this app from real evidence, explains what it finds, and verifies every fix."
        actions={
          <button type="button" className="btn" disabled={s.loading} onClick={() => void store.getState().load()}>
            {s.loading ? 'Checking…' : 'Run all checks again'}
          </button>
        }
      />
      <Card title="What do you see?" className="symptoms-card">
        <ul className="symptoms" aria-label="Symptoms">
          {FLOWS.map((f) => {
            const hit = report ? f.checks.filter((id) => isProblem(s.checks[id])).length : 0;
            return (
              <li key={f.id}>
                <a href={href.troubleshoot(f.id)} className="symptom">
                  <span className="symptom-icon icon-tile">
                    <Icon name={f.icon} />
                  </span>
                  <span className="symptom-text">
                    <strong>{f.symptom}</strong>
                    <span className="muted small">{f.sees}</span>
                  </span>
                  {report && (hit ? <Pill tone="bad">{hit === 1 ? '1 finding' : `${hit} findings`}</Pill> : <Pill tone="ok">clear</Pill>)}
                </a>
              </li>
            );
          })}
        </ul>
      </Card>
      {s.error && <ProblemAlert problem={s.error} />}
      {!report ? (
        <p className="muted loading-line">
          <Spinner label="Running the checks" /> Running every check…
        </p>
      ) : (
        <>
          <div className="doctor-summary" role="list" aria-label="Check summary">
            <SummaryChip n={report.summary.fail} label="problems" tone="bad" />
            <SummaryChip n={report.summary.warn} label="warnings" tone="warn" />
            <SummaryChip n={report.summary.ok} label="ok" tone="ok" />
            <SummaryChip n={report.summary.skipped} label="skipped" tone="muted" />
            <span className="muted small">Checked {formatDateTime(report.generated_at)}</span>
          </div>
          {SEVERITY.map(({ id, title }) => {
            const checks = report.checks.filter((c) => c.severity === id).sort((a, b) => rank[a.status] - rank[b.status]);
            if (!checks.length) return null;
            return (
              <Card key={id} title={title} className={`severity severity-${id}`}>
                <ul className="checks" aria-label={`${title} checks`}>
                  {checks.map((c) => (
                    <li key={c.id}>
                      <CheckItem check={c} s={s} store={store} />
                    </li>
                  ))}
                </ul>
              </Card>
            );
          })}
        </>
      )}
      <SupportBundle s={s} store={store} />
    </div>
  );
}

function SummaryChip({ n, label, tone }: { n: number; label: string; tone: Tone }) {
  return (
    <span className={`summary-chip tone-${tone}`} role="listitem">
      <strong>{n}</strong> {label}
    </span>
  );
}

/** One check: status, explanation, evidence (folded when ok), and its fixes with their verify results. */
export function CheckItem({
  check,
  s,
  store,
  open,
  withFixes = true,
}: {
  check: DoctorCheckResult;
  s: DoctorState;
  store: DoctorStore;
  open?: boolean;
  withFixes?: boolean;
}) {
  const problem = isProblem(check);
  return (
    <details className={`check-item status-${check.status}`} open={open ?? problem}>
      <summary>
        <Pill tone={STATUS_TONE[check.status]}>{STATUS_WORDS[check.status]}</Pill>
        <span className="check-title">{check.title}</span>
        <span className="mono muted small">{check.id}</span>
        {s.checking[check.id] && <Spinner label={`Running ${check.id}`} />}
      </summary>
      <div className="check-body">
        <p className="check-explanation">{check.reason ? `Skipped: ${check.reason}` : check.explanation}</p>
        {Object.keys(check.evidence).length > 0 && (
          <details className="evidence" open={problem}>
            <summary>Evidence</summary>
            <Evidence value={check.evidence} />
          </details>
        )}
        {withFixes && (check.fixes.length > 0 || fixRunsOf(s.fixes, check.id).length > 0) && <Fixes check={check} s={s} store={store} />}
        <p className="muted small">After a fix: {check.verify}</p>
      </div>
    </details>
  );
}

function SupportBundle({ s, store }: { s: DoctorState; store: DoctorStore }) {
  const { bridge } = useStores();
  const [copied, setCopied] = useState(false);
  const b = s.bundle;
  return (
    <Card
      title="Support bundle"
      actions={
        <button type="button" className="btn btn-sm" disabled={s.bundleBusy} onClick={() => void store.getState().createBundle()}>
          {s.bundleBusy ? 'Creating…' : b ? 'Create a new one' : 'Create support bundle'}
        </button>
      }
    >
      <p className="muted">
        One archive to attach to a bug report: the end of the log, the configuration and gateways with secrets removed, a database summary
        (counts, agent states, recent lifecycle events), versions and this doctor report. No token or key is inside — every file is scrubbed
        before it is archived.
      </p>
      {s.bundleError && <ProblemAlert problem={s.bundleError} />}
      {b && (
        <div className="bundle" role="status">
          <Icon name="check" />
          <div>
            <strong>Saved</strong> ({(b.size_bytes / 1024).toFixed(1)} KB, {b.files.length} files)
            <p className="mono small bundle-path">{b.path}</p>
            <p className="small muted">
              {b.files.join(' · ')} · sha256 <span className="mono">{b.sha256.slice(0, 16)}…</span>
            </p>
            <div className="row-actions">
              <button
                type="button"
                className="btn btn-sm"
                onClick={() =>
                  void navigator.clipboard?.writeText(b.path).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                {copied ? 'Path copied' : 'Copy path'}
              </button>
              {bridge?.revealFolder && (
                <button type="button" className="btn btn-sm" onClick={() => void bridge.revealFolder?.('data')}>
                  Show in folder
                </button>
              )}
            </div>
          </div>
        </div>
      )}
    </Card>
  );
}
