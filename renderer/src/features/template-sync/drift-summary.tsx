import type { AgentRead } from '../../../../backend/contract/agents';
import type { FileDriftStatus, TemplateDriftResult } from '../../../../backend/contract/templates';
import { formatDateTime, plural, roleOf, type Tone } from '../../model/format';
import { Alert, Pill } from '../../ui/components';
import { DiffView } from '../../ui/flow';
import { TokenPill } from './template-sync';

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

export const roleLabel = (a: { agent_id: string; is_main: boolean }, agents: AgentRead[]) => {
  const known = agents.find((x) => x.id === a.agent_id);
  return known ? roleOf(known) : a.is_main ? 'gateway main' : 'worker';
};

export function DriftSummary({ drift }: { drift: TemplateDriftResult }) {
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

export function Stat({ n, label, tone = 'info' }: { n: number; label: string; tone?: Tone }) {
  return (
    <div className={`sync-stat tone-${tone}`} role="listitem">
      <span className="sync-stat-n">{n}</span>
      <span className="sync-stat-label">{label}</span>
    </div>
  );
}

export function DriftAgent({ agent, role }: { agent: TemplateDriftResult['agents'][number]; role: string }) {
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
