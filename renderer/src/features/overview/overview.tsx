import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { DoctorFix } from '../../../../backend/contract/diagnostics';
import type { RememberedGatewayDrift } from '../../../../backend/contract/templates';
import { Icon } from '../../ui/icons';
import { Card, ConfirmDialog, Empty, PageHeader, Pill } from '../../ui/components';
import { useApp, useNow, useStores } from '../../ui/context';
import { relativeTime, roleOf, wakeLadder } from '../../model/format';
import { href } from '../../model/routes';
import {
  attentionList,
  createTemplateDriftStore,
  templateSummary,
  type AgentAttention,
  type TemplateAttention,
  type TemplateDriftStore,
} from '../../model/stores/attention-store';
import { createDoctorStore, fixKey, type DoctorStore, type FixRun } from '../../model/stores/doctor-store';
import { watchSyncProgress } from '../../model/stores/sync-store';
import { gatewayTone } from '../gateways';
import { flowForAttention } from '../troubleshoot';

/** How often the cheap reads (the token-drift check, the remembered template drift) are repeated while the page is open. */
const REFRESH_MS = 30_000;
/** Live agent changes come in bursts (a ladder, a sync): the reads follow once a burst settles. */
const SETTLE_MS = 1_500;
const TOKEN_DRIFT = 'agents.token_drift' as const;

/**
 * The Overview's evidence: the doctor's token-drift check (DB only) and the remembered template drift,
 * read on open, every REFRESH_MS, after a burst of live agent changes, and after any template sync.
 */
function useAttentionEvidence() {
  const { api, apiOptions } = useStores();
  const [doctor] = useState(() => createDoctorStore(api));
  const [templates] = useState(() => createTemplateDriftStore(api));
  const agents = useApp((s) => s.agents);
  const first = useRef(true);
  useEffect(() => {
    const read = () => {
      void doctor.getState().runChecks([TOKEN_DRIFT]);
      void templates.getState().load();
    };
    read();
    const t = setInterval(read, REFRESH_MS);
    const sub = watchSyncProgress(apiOptions, (p) => p.phase === 'finished' && void templates.getState().load());
    return () => {
      clearInterval(t);
      sub.close();
    };
  }, [apiOptions, doctor, templates]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => {
      void doctor.getState().runChecks([TOKEN_DRIFT]);
      void templates.getState().load();
    }, SETTLE_MS);
    return () => clearTimeout(t);
  }, [agents, doctor, templates]);
  return { doctor, templates };
}

export function OverviewPage() {
  const gateways = useApp((s) => s.gateways);
  const boards = useApp((s) => s.boards);
  const agents = useApp((s) => s.agents);
  const loading = useApp((s) => s.loading);
  const discovered = useApp((s) => s.discovered);
  const now = useNow(5000);
  const { doctor, templates } = useAttentionEvidence();
  const tokenDrift = useStore(doctor, (s) => s.checks[TOKEN_DRIFT]);
  const tokenDriftError = useStore(doctor, (s) => s.error);
  const templateDrift = useStore(templates, (s) => s.drift);
  const count = (status: string) => agents.filter((a) => a.status === status).length;
  const attention = attentionList({ agents, gateways, tokenDrift, templateDrift });
  const connected = gateways.filter((g) => g.connection_state === 'connected').length;

  if (!loading && gateways.length === 0) {
    return (
      <div className="page">
        <PageHeader title="Overview" subtitle="Your gateways, boards and agents at a glance." />
        <Empty
          icon="gateway"
          title="Connect your first OpenClaw gateway"
          action={
            <a className="btn btn-primary" href={href.gatewayNew()}>
              <Icon name="plus" /> Add a gateway
            </a>
          }
        >
          {discovered?.found
            ? `A gateway is configured on this machine (${discovered.url}). Add it, then create a board and its agents.`
            : 'Mission Control provisions and supervises agents on an OpenClaw gateway. Add one, then create a board and its agents.'}
        </Empty>
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader title="Overview" subtitle="Your gateways, boards and agents at a glance." />
      <div className="stats" role="list" aria-label="Totals">
        <Stat
          label="Gateways connected"
          value={`${connected}/${gateways.length}`}
          tone={connected === gateways.length ? 'ok' : 'warn'}
          to={href.gateways()}
        />
        <Stat label="Boards" value={String(boards.length)} to={href.boards()} />
        <Stat label="Agents online" value={String(count('online'))} tone="ok" to={href.agents()} />
        <Stat label="Provisioning" value={String(count('provisioning'))} tone="warn" to={href.agents()} />
        <Stat label="Offline" value={String(count('offline'))} tone={count('offline') ? 'bad' : 'muted'} to={href.agents()} />
      </div>

      <div className="grid-2">
        <Card title={`Needs attention${attention.length ? ` (${attention.length})` : ''}`}>
          {attention.length === 0 ? (
            <p className="quiet-ok">
              <Icon name="check" /> Every agent is checking in. Nothing needs you right now.
            </p>
          ) : (
            <ul className="attention" aria-label="Needs attention">
              {attention.map((item) =>
                item.type === 'agent' ? (
                  <AgentItem key={item.key} item={item} doctor={doctor} now={now} />
                ) : (
                  <TemplateItem key={item.key} item={item} templates={templates} now={now} />
                ),
              )}
            </ul>
          )}
          <FixResults doctor={doctor} />
          {tokenDriftError && !tokenDrift && (
            <p className="small muted attention-note">Token drift not checked: {tokenDriftError.message}</p>
          )}
        </Card>

        <Card
          title="Gateways"
          actions={
            <a className="btn btn-sm btn-ghost" href={href.gateways()}>
              All gateways
            </a>
          }
        >
          <ul className="health-list">
            {gateways.map((g) => (
              <li key={g.id}>
                <div className="health-main">
                  <a href={href.gateway(g.id)} className="strong">
                    {g.name}
                  </a>
                  <div className="muted small mono">{g.url}</div>
                  {g.last_error && g.connection_state !== 'connected' && <div className="small text-bad">{g.last_error.message}</div>}
                </div>
                <div className="right">
                  <Pill tone={gatewayTone(g.connection_state)}>{g.connection_state}</Pill>
                  <div className="muted small">{g.server_version ? `v${g.server_version}` : 'version unknown'}</div>
                </div>
                <TemplatesLine
                  gateway={g}
                  drift={templateDrift?.find((d) => d.gateway_id === g.id)}
                  known={templateDrift !== null}
                  templates={templates}
                  now={now}
                />
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <Card title="Agents by board">
        {boards.length === 0 ? (
          <p className="muted">
            No boards yet. <a href={href.boards()}>Create a board</a> to give your agents somewhere to work.
          </p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Board</th>
                <th scope="col">Agents</th>
                <th scope="col">Online</th>
                <th scope="col">Waking</th>
                <th scope="col">Offline</th>
                <th scope="col">Last check-in</th>
              </tr>
            </thead>
            <tbody>
              {boards.map((b) => {
                const mine = agents.filter((a) => a.board_id === b.id);
                const last =
                  mine
                    .map((a) => a.last_seen_at)
                    .filter((x): x is string => !!x)
                    .sort()
                    .slice(-1)[0] ?? null;
                return (
                  <tr key={b.id}>
                    <td>
                      <a href={href.board(b.id)}>{b.name}</a>
                    </td>
                    <td className="num">{mine.length}</td>
                    <td className="num">{mine.filter((a) => a.status === 'online').length}</td>
                    <td className="num">{mine.filter((a) => wakeLadder(a, 3, now).deadlineIn !== null).length}</td>
                    <td className="num">{mine.filter((a) => a.status === 'offline').length}</td>
                    <td>{relativeTime(last, now)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function Stat({
  label,
  value,
  tone = 'info',
  to,
}: {
  label: string;
  value: string;
  tone?: 'ok' | 'warn' | 'bad' | 'info' | 'muted';
  to: string;
}) {
  return (
    <a className={`stat tone-${tone}`} href={to} role="listitem">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </a>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One agent that needs a person: why, and what to do about it (for token drift: the doctor's own fixes, confirmed). */
function AgentItem({ item, doctor, now }: { item: AgentAttention; doctor: DoctorStore; now: number }) {
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
function TemplateItem({ item, templates, now }: { item: TemplateAttention; templates: TemplateDriftStore; now: number }) {
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
function TemplatesLine({
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
function FixResults({ doctor }: { doctor: DoctorStore }) {
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
