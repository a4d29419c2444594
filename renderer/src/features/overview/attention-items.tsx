import { useState } from 'react';
import { useStore } from 'zustand';
import type { DoctorFix } from '../../../../backend/contract/diagnostics';
import type { RememberedGatewayDrift } from '../../../../backend/contract/templates';
import { plural, relativeTime, roleOf } from '../../model/format';
import { href } from '../../model/routes';
import { templateSummary, type AgentAttention, type TemplateAttention, type TemplateDriftStore } from '../../model/stores/attention-store';
import { fixKey, type DoctorStore, type FixRun } from '../../model/stores/doctor-store';
import { ConfirmDialog, Pill } from '../../ui/components';
import { useApp } from '../../ui/context';
import { Icon } from '../../ui/icons';
import { flowForAttention } from '../troubleshoot';
import { TOKEN_DRIFT } from './attention-evidence';

/** One agent that needs a person: why, and what to do about it (for token drift: the doctor's own fixes, confirmed). */
export function AgentItem({ item, doctor, now }: { item: AgentAttention; doctor: DoctorStore; now: number }) {
  const busy = useApp((s) => s.busy);
  const act = useApp((s) => s.agentAction);
  const fixes = useStore(doctor, (s) => s.fixes);
  const [confirm, setConfirm] = useState<DoctorFix | null>(null);
  const { agent, kind, why, also, tokenDrift } = item;
  const drift = kind === 'token drift';
  const details = [
    ...(tokenDrift
      ? [
          `${plural(tokenDrift.refused_checkins, 'check-in')} refused, the last ${relativeTime(tokenDrift.last_refused_at, now)}; last good check-in ${relativeTime(tokenDrift.last_seen_at, now)}.`,
        ]
      : []),
    ...(also.length ? [`Also ${also.join(', ')}.`] : []),
  ];
  return (
    <li data-kind={kind} aria-label={`${agent.name}: ${kind}`}>
      <div className="attention-main">
        <Pill tone={kind === 'stuck' ? 'warn' : 'bad'}>{kind}</Pill>
        <a href={href.agent(agent.id)}>{agent.name}</a>
        <span className="muted small">{roleOf(agent)}</span>
      </div>
      <p className="attention-why">
        {why}
        {details.length > 0 && ` ${details.join(' ')}`}
      </p>
      <div className="row-actions">
        {drift ? (
          item.fixes.map((fix) => {
            const run: FixRun | undefined = fixes[fixKey(TOKEN_DRIFT, fix)];
            const rotate = fix.action === 'rotate_tokens_and_sync';
            return (
              <button
                key={fixKey(TOKEN_DRIFT, fix)}
                type="button"
                className={`btn btn-sm ${rotate ? 'btn-danger-ghost' : ''}`}
                title={fix.label}
                disabled={!!run?.running}
                onClick={() => setConfirm(fix)}
              >
                {run?.running
                  ? rotate
                    ? 'Rotating & verifying…'
                    : 'Re-provisioning & verifying…'
                  : rotate
                    ? 'Rotate & re-sync…'
                    : 'Re-provision…'}
              </button>
            );
          })
        ) : (
          <>
            <button type="button" className="btn btn-sm" disabled={!!busy[agent.id]} onClick={() => void act(agent.id, 'wake')}>
              {busy[agent.id] === 'wake' ? 'Waking…' : 'Wake'}
            </button>
            <button type="button" className="btn btn-sm" disabled={!!busy[agent.id]} onClick={() => void act(agent.id, 'reprovision')}>
              {busy[agent.id] === 'reprovision' ? 'Re-provisioning…' : 'Re-provision'}
            </button>
          </>
        )}
        <a className="btn btn-sm btn-ghost" href={href.agent(agent.id)}>
          Timeline
        </a>
        <a className="btn btn-sm btn-ghost" href={href.troubleshoot(drift ? 'token-drift' : flowForAttention(kind))}>
          {drift ? 'Token drift guide' : 'Troubleshoot'}
        </a>
      </div>
      {confirm && (
        <ConfirmDialog
          title={confirm.action === 'rotate_tokens_and_sync' ? 'Rotate tokens & re-sync?' : `Re-provision ${agent.name}?`}
          confirmLabel={confirm.action === 'rotate_tokens_and_sync' ? 'Rotate & re-sync' : 'Re-provision'}
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const fix = confirm;
            setConfirm(null);
            void doctor.getState().applyFix(TOKEN_DRIFT, fix, true);
          }}
        >
          <p>{confirm.label}.</p>
          <p className="muted small">
            {confirm.action === 'rotate_tokens_and_sync'
              ? 'Every agent in scope gets a new token; the old ones are refused at once. Mission Control then waits for their check-ins and runs the token-drift check again.'
              : 'Its workspace is rewritten with its current token and its session starts fresh (the conversation so far is gone). Mission Control then waits for its check-in and runs the token-drift check again.'}
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}

/** "Dev 1: SOUL.md, IDENTITY.md · Lead: token differs" for the first few agents known to differ. */
function driftedAgents(agents: RememberedGatewayDrift['agents'], shown = 3): string {
  const words = agents.slice(0, shown).map((a) => {
    if (a.state === 'token_differs') return `${a.agent_name}: ${a.token === 'missing' ? 'no token in its AGENTS.md' : 'token differs'}`;
    if (a.state === 'unreadable') return `${a.agent_name}: workspace not readable`;
    return `${a.agent_name}: ${a.files.join(', ')}`;
  });
  const more = agents.length - shown;
  return `${words.join(' · ')}${more > 0 ? ` · and ${more} more` : ''}`;
}

/** A gateway whose agents' files are known to differ from what a sync writes. */
export function TemplateItem({ item, templates, now }: { item: TemplateAttention; templates: TemplateDriftStore; now: number }) {
  const { gateway, drift, agents } = item;
  return (
    <li data-kind="template drift" aria-label={`${gateway.name}: template drift`}>
      <div className="attention-main">
        <Pill tone="warn">template drift</Pill>
        <a href={href.gateway(gateway.id)}>
          Templates drifted on {gateway.name}: {plural(agents.length, 'agent')}
        </a>
        <span className="muted small">(checked {relativeTime(drift.checked_at, now)})</span>
      </div>
      <p className="attention-why">{driftedAgents(agents)}</p>
      <div className="row-actions">
        <a className="btn btn-sm btn-primary" href={href.gatewaySync(gateway.id)}>
          Review &amp; sync
        </a>
        <CheckNow gateway={gateway} templates={templates} />
      </div>
      <CheckError gatewayId={gateway.id} templates={templates} />
    </li>
  );
}

function CheckNow({ gateway, templates }: { gateway: TemplateAttention['gateway']; templates: TemplateDriftStore }) {
  const checking = useStore(templates, (s) => !!s.checking[gateway.id]);
  const connected = gateway.connection_state === 'connected';
  return (
    <button
      type="button"
      className="btn btn-sm"
      disabled={checking || !connected}
      title={
        connected
          ? 'Read every agent’s files on the gateway and compare them with the templates'
          : `The gateway is ${gateway.connection_state}`
      }
      onClick={() => void templates.getState().checkNow(gateway.id)}
    >
      {checking ? 'Checking…' : 'Check now'}
    </button>
  );
}

function CheckError({ gatewayId, templates }: { gatewayId: string; templates: TemplateDriftStore }) {
  const problem = useStore(templates, (s) => s.checkErrors[gatewayId] ?? null);
  return problem ? (
    <p className="small text-bad" role="alert">
      {problem.message}
      {problem.next_step ? ` ${problem.next_step}` : ''}
    </p>
  ) : null;
}

/** The Gateways card's line about templates: what is known and since when, never "in sync" without a check. */
export function TemplatesLine({
  gateway,
  drift,
  known,
  templates,
  now,
}: {
  gateway: TemplateAttention['gateway'];
  drift: RememberedGatewayDrift | undefined;
  /** false until the first read answered (then say nothing rather than guess). */
  known: boolean;
  templates: TemplateDriftStore;
  now: number;
}) {
  const summary = templateSummary(drift);
  return (
    <div className="health-templates small" data-testid={`templates-${gateway.id}`}>
      {known ? (
        <>
          <span className={`tone-${summary.tone} tone-text`}>{summary.text}</span>
          {drift?.checked_at && <span className="muted"> · checked {relativeTime(drift.checked_at, now)}</span>}
        </>
      ) : (
        <span className="muted">Templates: reading…</span>
      )}
      {drift && drift.state !== 'no_agents' && <CheckNow gateway={gateway} templates={templates} />}
      <CheckError gatewayId={gateway.id} templates={templates} />
    </div>
  );
}

/** The token-drift fixes run from this page, with what their verify found (kept after the item itself is gone). */
export function FixResults({ doctor }: { doctor: DoctorStore }) {
  const fixes = useStore(doctor, (s) => s.fixes);
  const runs = Object.entries(fixes).filter(([, r]) => r.checkId === TOKEN_DRIFT);
  if (runs.length === 0) return null;
  return (
    <ul className="fix-results" aria-label="Fix results" aria-live="polite">
      {runs.map(([key, run]) => (
        <li key={key} className="small">
          {run.running ? (
            <>
              <Icon name="spark" size={14} /> {run.fix.label}: running, then verifying…
            </>
          ) : run.error ? (
            <span className="text-bad">
              {run.fix.label}: {run.error.message}
            </span>
          ) : run.result ? (
            <span className={`tone-${run.result.verified ? 'ok' : 'warn'} tone-text`}>
              <Icon name={run.result.verified ? 'check' : 'warn'} size={14} /> {run.result.verified ? 'Verified' : 'Not verified yet'}:{' '}
              {run.result.message} {run.result.verify.explanation}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
