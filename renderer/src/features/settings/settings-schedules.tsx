import { useState, type FormEvent } from 'react';
import type { ScheduleRead } from '../../../../backend/contract/schedules';
import { ApiError } from '../../model/api/client';
import { Card, Facts, Pill } from '../../ui/components';
import { useApp, useStores } from '../../ui/context';
import { formatDateTime } from '../../model/format';
import { Switch } from '../../ui/setting-switch';
import { useResource } from '../../ui/use-resource';

/*
 * Settings → Schedules: retention, the database backup, the template-drift and token checks, each an
 * on/off switch and a cron expression (node-cron's syntax), with its last and next run. Saved with
 * `PATCH /api/v1/settings/schedules` and applied at once; an expression the backend refuses comes back
 * as a 422 naming `body.<schedule>.cron`, shown under that schedule. Self-contained: it reads and
 * writes through the API client alone.
 */

/** The backend's 422 → message per `<schedule>.<field>` (e.g. `backup.cron`, `backup_keep`). */
function errorsByField(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.detail)) return {};
  const out: Record<string, string> = {};
  for (const d of err.detail as { loc?: unknown[]; msg?: string }[]) out[(d.loc ?? []).slice(1).join('.')] = d.msg ?? 'invalid';
  return out;
}

const OUTCOME_TONE = { ok: 'ok', problem: 'warn', failed: 'bad' } as const;

function LastRun({ item }: { item: ScheduleRead }) {
  const last = item.last_run;
  return (
    <span className="small muted">
      {last ? (
        <>
          Last run {formatDateTime(last.started_at)} ({last.duration_ms} ms) <Pill tone={OUTCOME_TONE[last.outcome]}>{last.outcome}</Pill>{' '}
          {last.summary}
        </>
      ) : (
        'Not run since the app started.'
      )}
      {item.running ? ' Running now.' : ''}
      {item.next_run_at ? ` Next: ${formatDateTime(item.next_run_at)}.` : item.enabled ? '' : ' Off.'}
    </span>
  );
}

function ScheduleRow({ item, save }: { item: ScheduleRead; save: (patch: Record<string, unknown>) => Promise<Record<string, string>> }) {
  const [cron, setCron] = useState(item.cron);
  const [error, setError] = useState<string | undefined>(item.error ?? undefined);
  const [busy, setBusy] = useState(false);
  const id = `schedule-${item.name}`;

  const submit = async (patch: { enabled?: boolean; cron?: string }) => {
    setBusy(true);
    const errors = await save({ [item.name]: patch });
    setError(errors[`${item.name}.cron`] ?? errors[item.name]);
    setBusy(false);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit({ cron: cron.trim() });
  };

  return (
    <form className={`setting ${error ? 'has-error' : ''}`} onSubmit={onSubmit} aria-label={`${item.title} schedule`} noValidate>
      <div className="setting-label">
        <label htmlFor={`${id}-cron`}>{item.title}</label>
        <p className="hint">{item.description}</p>
      </div>
      <div className="setting-control">
        <div className="setting-inline">
          <Switch
            text="On"
            checked={item.enabled}
            disabled={busy}
            label={`${item.title} on`}
            onChange={(enabled) => void submit({ enabled })}
          />
          <input
            id={`${id}-cron`}
            className="input-port mono"
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            aria-invalid={Boolean(error)}
            aria-describedby={`${id}-hint`}
          />
          <button
            type="submit"
            className="btn btn-sm"
            aria-label={`Save ${item.title} schedule`}
            disabled={busy || cron.trim() === item.cron}
          >
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <p id={`${id}-hint`} className="hint">
          <LastRun item={item} /> Default <code>{item.default_cron}</code>.
        </p>
      </div>
    </form>
  );
}

export function SchedulesCard() {
  const { api } = useStores();
  const notify = useApp((s) => s.notify);
  // Last and next runs move on their own: read them again now and then while the page is open.
  const { data, reload } = useResource(() => api('getSchedules'), [api], { pollMs: 15_000 });
  /** What is typed in "Backups kept" (null: the saved value). */
  const [typedKeep, setKeep] = useState<string | null>(null);

  const save = async (patch: Record<string, unknown>): Promise<Record<string, string>> => {
    try {
      await api('updateSchedules', { body: patch });
      await reload();
      notify('ok', 'Schedule saved; it applies at once.');
      return {};
    } catch (err) {
      const byField = errorsByField(err);
      if (Object.keys(byField).length === 0) notify('bad', err instanceof Error ? err.message : 'Could not save the schedule.');
      return byField;
    }
  };

  if (!data) return null;
  const keep = typedKeep ?? String(data.backup.keep);
  return (
    <Card title="Schedules">
      <p className="hint">
        Cron expressions as node-cron reads them: <code>minute hour day month weekday</code> (local time), or six fields with seconds first.
        Each run is logged as <code>schedule.ran</code> or <code>schedule.failed</code>.
      </p>
      {data.items.map((item) => (
        <ScheduleRow key={`${item.name}|${item.cron}|${item.enabled}`} item={item} save={save} />
      ))}
      <form
        className="settings-form"
        aria-label="Backups kept"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!/^\d+$/.test(keep.trim())) return notify('bad', 'Enter a whole number of backups between 1 and 365.');
          void save({ backup_keep: Number(keep.trim()) }).then((errors) => {
            if (errors.backup_keep) notify('bad', errors.backup_keep);
            else setKeep(null);
          });
        }}
      >
        <div className="setting">
          <div className="setting-label">
            <label htmlFor="schedule-backup-keep">Backups kept</label>
            <p className="hint">The oldest beyond this are deleted after each backup.</p>
          </div>
          <div className="setting-control">
            <div className="setting-inline">
              <input
                id="schedule-backup-keep"
                className="input-port mono"
                inputMode="numeric"
                value={keep}
                onChange={(e) => setKeep(e.target.value)}
              />
              <button
                type="submit"
                className="btn btn-sm"
                aria-label="Save backups kept"
                disabled={keep.trim() === String(data.backup.keep)}
              >
                Save
              </button>
            </div>
          </div>
        </div>
      </form>
      <Facts
        items={[
          ['Backup folder', <code className="path">{data.backup.dir}</code>],
          [
            'Backups',
            data.backup.files.length === 0
              ? 'none yet'
              : `${data.backup.files.length}, newest ${formatDateTime(data.backup.files.at(-1)!.at)} (${data.backup.files.at(-1)!.name})`,
          ],
        ]}
      />
    </Card>
  );
}
