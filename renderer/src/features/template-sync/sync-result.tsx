import type { TemplateSyncResult } from '../../../../backend/contract/templates';
import { formatDateTime, plural } from '../../model/format';
import { type SyncMode, type SyncState } from '../../model/stores/sync-store';
import { Alert, Pill } from '../../ui/components';
import { DataTable } from '../../ui/data-table';
import { Progress } from '../../ui/flow';
import { Icon } from '../../ui/icons';
import { Stat } from './drift-summary';
import type { Scope } from './scope';
import { TokenPill } from './template-sync';

export function resultHeadline(r: TemplateSyncResult): string {
  const rotated = r.agents.filter((a) => a.token_rotated).length;
  return [
    `${plural(r.agents_updated, 'agent')} updated`,
    `${r.agents_skipped} skipped`,
    ...(r.rotate_tokens ? [`${plural(rotated, 'token')} rotated`] : []),
    plural(r.errors.length, 'error'),
  ].join(', ');
}

export function RunProgress({ s, mode }: { s: SyncState; mode: SyncMode }) {
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

export function SyncResult({
  result,
  mode,
  scope,
  onRotate,
}: {
  result: TemplateSyncResult;
  mode: SyncMode;
  scope: Scope;
  onRotate: () => void;
}) {
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
      <DataTable
        columns={[
          'Agent',
          'Outcome',
          'Token before',
          ...(rotate ? ['Checked in with new token', 'Old token refused'] : ['Files written', 'Kept']),
        ]}
        className="result-table"
      >
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
      </DataTable>
    </div>
  );
}
