import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { CheckId, DoctorCheckResult, DoctorFix, DoctorFixResult } from '../../../../backend/contract/diagnostics';
import type { TemplateSyncProgress } from '../../../../backend/contract/templates';
import { Progress, ProblemAlert } from '../../ui/flow';
import { Icon, type IconName } from '../../ui/icons';
import { Alert, Card, ConfirmDialog, PageHeader, Pill, Spinner } from '../../ui/components';
import { useStores } from '../../ui/context';
import { formatDateTime, type Tone } from '../../model/format';
import { href } from '../../model/routes';
import {
  actionKey,
  createDoctorStore,
  fixKey,
  fixRunsOf,
  flowActions,
  verifyWaitSeconds,
  type DoctorState,
  type DoctorStore,
  type FixRun,
  type FlowAction,
} from '../../model/stores/doctor-store';
import { watchSyncProgress } from '../../model/stores/sync-store';

/*
 * Troubleshoot (`#/troubleshoot`): the doctor's report grouped by severity, each fix a button that
 * shows its verify result, the support bundle, and guided flows for the seed guide's symptoms
 * (`#/troubleshoot?flow=<id>`): symptom → live evidence from the relevant checks → what it means →
 * action → verify result.
 */

interface Flow {
  id: string;
  icon: IconName;
  symptom: string;
  /** What the person sees that brings them here. */
  sees: string;
  checks: CheckId[];
  /** The usual causes, in plain words (the checks' own explanations follow). */
  means: string;
  /** When every check passes. */
  allClear: ReactNode;
}

export const FLOWS: Flow[] = [
  {
    id: 'token-drift',
    icon: 'warn',
    symptom: 'Check-ins refused with 401 (token drift)',
    sees: 'An agent’s heartbeat calls are answered 401; its status turns offline although it runs.',
    checks: ['agents.token_drift', 'gateway.template_drift'],
    means:
      'The token in the agent’s AGENTS.md is not the one Mission Control holds — it was rotated here, or the workspace was restored from elsewhere. Mission Control never re-keys silently: rotate & re-sync gives the agents new tokens, writes them into their workspaces, and waits for each to check in with the new one.',
    allClear: 'No agent is calling with a rotated token, and every workspace token matches.',
  },
  {
    id: 'not-responding',
    icon: 'agent',
    symptom: 'An agent does not respond to its heartbeat',
    sees: 'The agent stays silent after being woken; the wake ladder counts up to its last attempt and marks it offline.',
    checks: ['agents.offline', 'agents.never_checked_in', 'gateway.exec_policy', 'api.base_url', 'agents.token_drift'],
    means:
      'An agent checks in by running a curl command from its AGENTS.md. It stays silent when the gateway’s exec policy refuses that command, when the base URL it is told to call does not reach this app, when its token is refused, or when the model never runs the check-in.',
    allClear: 'Every agent whose wakes are over has checked in; the exec policy and the base URL let them.',
  },
  {
    id: 'stuck-provisioning',
    icon: 'spark',
    symptom: 'An agent is stuck in “provisioning”',
    sees: 'The agent’s status stays provisioning (the old guide set it to ready by hand in SQL — never needed here).',
    checks: ['agents.stuck', 'agents.never_checked_in', 'scheduler.alive', 'gateway.exec_policy'],
    means:
      'Every provisioning ends online or offline-with-a-reason within the wake ladder (deadline × attempts). Longer means the scheduler stopped ticking or the agent never runs its check-in. Re-provisioning starts a new cycle; a status is never written by hand.',
    allClear: 'No agent is beyond the ladder’s bound and the scheduler is ticking.',
  },
  {
    id: 'gateway-rejected',
    icon: 'gateway',
    symptom: 'The gateway rejects Mission Control (missing scope, pairing)',
    sees: '“missing scope: operator.read”, “pairing required” or a refused token when connecting.',
    checks: ['gateway.connection'],
    means:
      'Mission Control connects with its own device identity. A loopback gateway pairs it at once; a remote one may wait for approval (the check names the exact `openclaw devices approve …`), or refuse the stored gateway token.',
    allClear: 'Every gateway accepts this app with the scopes it needs.',
  },
  {
    id: 'gateway-too-old',
    icon: 'gateway',
    symptom: 'The gateway is too old or rejects workspace files',
    sees: '“Gateway rejected required lead workspace files as unsupported”, or methods missing.',
    checks: ['gateway.connection', 'gateway.template_drift'],
    means:
      'Mission Control needs a minimum gateway version and a set of methods. Files the current gateway refuses (TOOLS.md, HEARTBEAT.md) are reported as “not supported” and their content goes where the gateway accepts it.',
    allClear: 'Every gateway is new enough and advertises the methods Mission Control uses.',
  },
  {
    id: 'cant-connect',
    icon: 'gateway',
    symptom: 'Can’t connect to the gateway',
    sees: 'The gateway shows failed or waiting; agents are not provisioned.',
    checks: ['gateway.connection', 'api.base_url'],
    means:
      'Nothing answers at the gateway URL (stopped, wrong port), TLS fails, or the token is wrong. Each failure is classified with its next step; after fixing it, re-test the gateway.',
    allClear: 'Every gateway answers, and agents can reach this app’s base URL.',
  },
  {
    id: 'port-in-use',
    icon: 'settings',
    symptom: 'The app won’t start: port in use',
    sees: '“EADDRINUSE” or the app exits at start.',
    checks: ['api.port'],
    means:
      'Another process holds the port. While the app runs this check only confirms where it listens. When it will not start, run `mission-control doctor` in a terminal: it names the process holding the port and a free alternative — then start with `--port N` (or MC_PORT).',
    allClear: 'The app is listening on its port.',
  },
  {
    id: 'slow-api',
    icon: 'activity',
    symptom: 'The app or its API is slow',
    sees: 'Pages and agent calls take seconds; the machine is busy.',
    checks: ['process.memory', 'db.wal', 'db.integrity', 'scheduler.alive', 'logging.level'],
    means:
      'The usual suspects are a growing backend, a large write-ahead log, debug logging left on, or a scheduler that falls behind. Queries are indexed and measured by the benchmarks; a support bundle helps when none of these explains it.',
    allClear: 'Memory, database and logging look healthy.',
  },
];

/** The guided flow for an Overview attention item (offline, stuck, token drift, not provisioned). */
export const flowForAttention = (kind: string): string =>
  kind === 'drift' ? 'token-drift' : kind === 'not provisioned' ? 'stuck-provisioning' : 'not-responding';

const STATUS_TONE: Record<DoctorCheckResult['status'], Tone> = { ok: 'ok', warn: 'warn', fail: 'bad', skipped: 'muted' };
const STATUS_WORDS: Record<DoctorCheckResult['status'], string> = { ok: 'ok', warn: 'warning', fail: 'problem', skipped: 'skipped' };
const SEVERITY: { id: DoctorCheckResult['severity']; title: string }[] = [
  { id: 'critical', title: 'Critical' },
  { id: 'warning', title: 'Warnings' },
  { id: 'info', title: 'Information' },
];
const rank = { fail: 0, warn: 1, skipped: 2, ok: 3 } as const;
const isProblem = (c: DoctorCheckResult | undefined) => c?.status === 'fail' || c?.status === 'warn';

export function TroubleshootPage({ flow }: { flow: string | null }) {
  const { api } = useStores();
  const [store] = useState(() => createDoctorStore(api));
  const selected = FLOWS.find((f) => f.id === flow) ?? null;
  useEffect(() => {
    if (!selected) void store.getState().load();
  }, [store, selected]);
  return selected ? <FlowPage flow={selected} store={store} /> : <Overview store={store} />;
}

function Overview({ store }: { store: DoctorStore }) {
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
                  <span className="symptom-icon">
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
function CheckItem({
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
function Fixes({ check, s, store }: { check: DoctorCheckResult; s: DoctorState; store: DoctorStore }) {
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
function FlowFixes({ flow, actions, s, store }: { flow: Flow; actions: FlowAction[]; s: DoctorState; store: DoctorStore }) {
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

/** Evidence as a person reads it: fields as a list, lists of records as tables, times localized, no raw JSON walls. */
function Evidence({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      // Names first, ids last (shortened; the full id is in the tooltip). A field holding a record (an offline
      // agent's gateway side) gets a full-width line under its row instead of a squeezed column.
      const rows = value as Record<string, unknown>[];
      const all = [...new Set(rows.flatMap((v) => Object.keys(v)))];
      const isRecord = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
      const nested = all.filter((k) => rows.some((r) => isRecord(r[k])));
      const flat = all.filter((k) => !nested.includes(k));
      const keys = [...flat.filter((k) => !isId(k)), ...flat.filter(isId)];
      return (
        <div className="table-wrap evidence-table">
          <table className="table">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th key={k} scope="col">
                    {human(k)}
                  </th>
                ))}
              </tr>
            </thead>
            {rows.map((row, i) => (
              <tbody key={i}>
                <tr>
                  {keys.map((k) => (
                    <td key={k}>
                      <Cell k={k} v={row[k]} />
                    </td>
                  ))}
                </tr>
                {nested.map((k) => (
                  <tr key={k} className="evidence-sub">
                    <td colSpan={keys.length}>
                      <Evidence value={{ [k]: row[k] }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      );
    }
    return <span>{value.map((v) => scalar('', v)).join(', ')}</span>;
  }
  if (value && typeof value === 'object') {
    return (
      <dl className="facts evidence-facts">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{human(k)}</dt>
            <dd>{v && typeof v === 'object' ? <Evidence value={v} /> : scalar(k, v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{scalar('', value)}</span>;
}

function Cell({ k, v }: { k: string; v: unknown }) {
  if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
    return (
      <details>
        <summary className="small">{v.length === 1 ? '1 entry' : `${v.length} entries`}</summary>
        <Evidence value={v} />
      </details>
    );
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) return <Evidence value={v} />;
  if (isId(k) && typeof v === 'string' && v.length > 12)
    return (
      <span className="mono small nowrap" title={v}>
        {v.slice(0, 8)}…
      </span>
    );
  return <span>{scalar(k, v)}</span>;
}

const isId = (k: string) => k === 'id' || k.endsWith('_id');

// snake_case (ours) and camelCase (the gateway's session fields) alike.
const human = (k: string) =>
  k
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
function scalar(k: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => scalar('', x)).join(', ') : '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && /bytes$/.test(k)) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  if (typeof v === 'number' && /_ms$/.test(k)) return `${(v / 1000).toFixed(1)} s`;
  // The gateway's times are epoch milliseconds (updatedAt, lastActivityAt).
  if (typeof v === 'number' && /[a-z]At$/.test(k) && v > 1e12) return formatDateTime(new Date(v).toISOString());
  if (typeof v === 'string' && ISO.test(v)) return formatDateTime(v);
  return String(v);
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

/** A guided flow: the symptom, the live evidence of its checks, what it means, the action, the verify result. */
function FlowPage({ flow, store }: { flow: Flow; store: DoctorStore }) {
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
      <section className="flow-content" aria-label={title}>
        <h2>{title}</h2>
        {children}
      </section>
    </li>
  );
}
