import { useState, type FormEvent } from 'react';
import type { SettingsRead } from '../../../../backend/contract/session';
import { Card, Facts, Pill } from '../../ui/components';
import { useApp } from '../../ui/context';
import { formatDateTime } from '../../model/format';
import { fieldErrors, NumberBox, SettingRow } from './setting-row';

/*
 * The disk and the log on the Settings page: how big the log is and may get (rotation), how many days
 * of history the growing tables keep (editable, applies at once), their sizes, the last clean-up and
 * what it never deletes. The doctor's `storage.growth` check shows the same numbers.
 */

const MB = 1024 * 1024;
const size = (n: number) =>
  n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(1)} GB` : n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

function RetentionForm({ settings }: { settings: SettingsRead }) {
  const update = useApp((s) => s.updateSettings);
  const notify = useApp((s) => s.notify);
  const { retention_days } = settings.editable;
  const current = String(settings.storage.retention.days);
  const [text, setText] = useState(current);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const changed = !retention_days.set_by && text.trim() !== current;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d+$/.test(text.trim())) return setError('Enter a whole number of days between 1 and 3650.');
    setBusy(true);
    setError(undefined);
    try {
      const next = await update({ retention_days: Number(text.trim()) });
      setText(String(next.storage.retention.days));
      const deleted = Object.values(next.storage.retention.last_run?.deleted ?? {}).reduce((a, b) => a + b, 0);
      notify('ok', `History is kept for ${next.storage.retention.days} days; ${deleted} older row(s) deleted.`);
    } catch (err) {
      const byField = fieldErrors(err);
      if (byField.retention_days) setError(byField.retention_days);
      else notify('bad', err instanceof Error ? err.message : 'Could not save the retention.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={save} aria-label="Retention" noValidate>
      <SettingRow
        id="setting-retention-days"
        label="Keep history for (days)"
        about="Lifecycle trail, activity, delivered messages, board chat and auth failures older than this are deleted hourly."
        error={error}
        setBy={retention_days.set_by}
        note="Applies at once: older rows are deleted when you save."
      >
        <NumberBox
          id="setting-retention-days"
          value={text}
          onChange={setText}
          locked={Boolean(retention_days.set_by)}
          invalid={Boolean(error)}
        />
        <button type="submit" className="btn btn-sm" aria-label="Save retention" disabled={busy || !changed}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </SettingRow>
    </form>
  );
}

export function StorageCard({ settings }: { settings: SettingsRead }) {
  const { log, retention, tables } = settings.storage;
  const last = retention.last_run;
  const deleted = last ? Object.values(last.deleted).reduce((a, b) => a + b, 0) : 0;
  return (
    <Card title="Log and history">
      <RetentionForm key={`${retention.days}|${settings.editable.retention_days.saved}`} settings={settings} />
      <Facts
        items={[
          [
            'Log files',
            <span className="setting-value">
              <span className="mono">
                {size(log.total_bytes)} in {log.files.length} file(s), at most {size(log.cap_bytes)}{' '}
                {log.total_bytes > log.cap_bytes ? <Pill tone="warn">over the cap</Pill> : null}
              </span>
              <span className="small muted">
                rotated at {size(log.max_bytes)}, {log.files_kept} kept — <code>--log-max-mb</code> / <code>MC_LOG_MAX_MB</code>,{' '}
                <code>--log-files</code> / <code>MC_LOG_FILES</code>
              </span>
            </span>,
          ],
          [
            'Last clean-up',
            last ? (
              <span>
                {formatDateTime(last.at)}: {deleted} row(s) deleted{last.error ? ` — failed: ${last.error}` : ''}
                {retention.next_run_at ? <span className="small muted"> · next {formatDateTime(retention.next_run_at)}</span> : null}
              </span>
            ) : (
              'not run yet'
            ),
          ],
          ...tables.map((t): [string, string] => [`Rows in ${t.table}`, t.rows.toLocaleString()]),
        ]}
      />
      <p className="hint card-foot">Never deleted, whatever their age: {retention.keeps.join('; ')}.</p>
    </Card>
  );
}
