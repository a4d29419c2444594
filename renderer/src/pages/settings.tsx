import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { SettingsRead } from '../../../backend/contract/session';
import { ApiError } from '../api/client';
import { Icon } from '../components/icons';
import { Alert, Card, Facts, PageHeader, Pill } from '../components/ui';
import { useApp, useStores } from '../context';
import { href } from '../lib/routes';
import { SettingSwitch } from '../components/setting-switch';
import { RunAtBootSetting } from './run-at-boot';
import { StorageCard } from './settings-storage';
import { SchedulesCard } from './settings-schedules';

const LEVELS = [
  ['fatal', 'fatal — only crashes'],
  ['error', 'error'],
  ['warn', 'warn'],
  ['info', 'info (default)'],
  ['debug', 'debug — every request'],
  ['trace', 'trace — everything'],
] as const;

/** `{body.port: "…"}` from a 422's `[{loc, msg}]`, so each message lands under its own field. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.detail)) return {};
  const out: Record<string, string> = {};
  for (const d of err.detail as { loc?: unknown[]; msg?: string }[]) {
    const field = String(d.loc?.[1] ?? '');
    out[field] = out[field] ? `${out[field]}; ${d.msg}` : (d.msg ?? 'invalid');
  }
  return out;
}

/** "Set by --port at start": the flag or variable wins, the control is read-only. */
function SetBy({ by, id }: { by: string; id: string }) {
  return (
    <p id={id} className="hint setting-lock">
      <Icon name="lock" size={14} /> Set by <code>{by}</code> when Mission Control started — change or remove it there.
    </p>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          },
          () => undefined,
        )
      }
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} /> {copied ? 'Copied' : 'Copy path'}
    </button>
  );
}

function FolderRow({ path, which }: { path: string; which: 'data' | 'logs' }) {
  const { bridge } = useStores();
  const notify = useApp((s) => s.notify);
  return (
    <span className="setting-value">
      <code className="path">{path}</code>
      {bridge?.revealFolder ? (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => void bridge.revealFolder?.(which).catch((err: unknown) => notify('bad', (err as Error).message))}
        >
          <Icon name="folder" size={14} /> Show in folder
        </button>
      ) : (
        <CopyButton text={path} label={`Copy the ${which === 'data' ? 'data folder' : 'logs folder'} path`} />
      )}
    </span>
  );
}

/** One editable setting: label and what it is on the left; the control, then its error, lock or note. */
export function SettingRow({
  id,
  label,
  about,
  error,
  setBy,
  note,
  children,
}: {
  id: string;
  label: string;
  about: ReactNode;
  error?: string | undefined;
  setBy: string | null;
  note: ReactNode;
  children: ReactNode;
}) {
  const hintId = `${id}-hint`;
  return (
    <div className={`setting ${error ? 'has-error' : ''}`}>
      <div className="setting-label">
        <label htmlFor={id}>{label}</label>
        <p className="hint">{about}</p>
      </div>
      <div className="setting-control">
        <div className="setting-inline">{children}</div>
        {error ? (
          <p id={hintId} className="field-error">
            {error}
          </p>
        ) : setBy ? (
          <SetBy by={setBy} id={hintId} />
        ) : (
          <p id={hintId} className="hint">
            {note}
          </p>
        )}
      </div>
    </div>
  );
}

/** Port and base URL: saved now, used from the next start. */
function ServerForm({ settings }: { settings: SettingsRead }) {
  const update = useApp((s) => s.updateSettings);
  const notify = useApp((s) => s.notify);
  const { port, base_url } = settings.editable;
  const [portText, setPortText] = useState(String(port.saved ?? settings.port));
  const [baseUrl, setBaseUrl] = useState(base_url.saved ?? settings.base_url);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const portChanged = !port.set_by && portText.trim() !== String(port.saved ?? settings.port);
  const baseChanged = !base_url.set_by && baseUrl.trim() !== (base_url.saved ?? settings.base_url);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const patch: { port?: number; base_url?: string } = {};
    if (portChanged) {
      const n = Number(portText.trim());
      if (!/^\d+$/.test(portText.trim())) return setErrors({ port: 'Enter a whole number between 1 and 65535.' });
      patch.port = n;
    }
    if (baseChanged) patch.base_url = baseUrl.trim();
    setBusy(true);
    setErrors({});
    try {
      const next = await update(patch);
      setPortText(String(next.editable.port.saved ?? next.port));
      setBaseUrl(next.editable.base_url.saved ?? next.base_url);
      notify('ok', 'Saved. It takes effect when Mission Control restarts.');
    } catch (err) {
      const byField = fieldErrors(err);
      if (Object.keys(byField).length > 0) setErrors(byField);
      else notify('bad', err instanceof Error ? err.message : 'Could not save the settings.');
    } finally {
      setBusy(false);
    }
  };

  const pendingPort = port.saved !== null && port.saved !== settings.port && !port.set_by;
  const pendingBase = base_url.saved !== null && base_url.saved !== settings.base_url && !base_url.set_by;
  return (
    <form className="settings-form" onSubmit={save} aria-label="Server settings" noValidate>
      <SettingRow
        id="setting-port"
        label="Port"
        about={`Where the UI and the agent API listen (on ${settings.host}).`}
        error={errors.port}
        setBy={port.set_by}
        note="Takes effect when Mission Control restarts."
      >
        <input
          id="setting-port"
          className="input-port mono"
          inputMode="numeric"
          value={portText}
          disabled={Boolean(port.set_by)}
          onChange={(e) => setPortText(e.target.value)}
          aria-describedby="setting-port-hint"
          aria-invalid={Boolean(errors.port)}
        />
        {pendingPort ? <Pill tone="warn">restart to use {port.saved}</Pill> : <Pill tone="ok">in use: {settings.port}</Pill>}
      </SettingRow>

      <SettingRow
        id="setting-base-url"
        label="Base URL agents use"
        about="Written into every agent’s instructions (check-ins, tasks, board chat)."
        error={errors.base_url}
        setBy={base_url.set_by}
        note={
          <>
            Takes effect when Mission Control restarts. Agents already provisioned keep calling the old URL until you run{' '}
            <strong>Sync templates</strong> on their gateway.
          </>
        }
      >
        <input
          id="setting-base-url"
          className="mono"
          type="url"
          spellCheck={false}
          value={baseUrl}
          disabled={Boolean(base_url.set_by)}
          onChange={(e) => setBaseUrl(e.target.value)}
          aria-describedby="setting-base-url-hint"
          aria-invalid={Boolean(errors.base_url)}
        />
        {pendingBase && <Pill tone="warn">restart to use</Pill>}
      </SettingRow>

      <div className="settings-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || (!portChanged && !baseChanged)}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {(portChanged || baseChanged) && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setPortText(String(port.saved ?? settings.port));
              setBaseUrl(base_url.saved ?? settings.base_url);
              setErrors({});
            }}
          >
            Discard
          </button>
        )}
      </div>
    </form>
  );
}

function LogLevel({ settings }: { settings: SettingsRead }) {
  const update = useApp((s) => s.updateSettings);
  const notify = useApp((s) => s.notify);
  const [busy, setBusy] = useState(false);
  const { log_level } = settings.editable;
  const known = LEVELS.some(([l]) => l === settings.log_level);
  return (
    <SettingRow
      id="setting-log-level"
      label="Log level"
      about="How much goes into the log file."
      setBy={log_level.set_by}
      note="Applies at once and is kept when Mission Control restarts."
    >
      <select
        id="setting-log-level"
        className="select-level"
        value={settings.log_level}
        disabled={busy || Boolean(log_level.set_by)}
        aria-describedby="setting-log-level-hint"
        onChange={(e) => {
          const level = e.target.value as (typeof LEVELS)[number][0];
          setBusy(true);
          update({ log_level: level })
            .then(
              () => notify('ok', `Log level is now ${level}.`),
              (err: unknown) => notify('bad', err instanceof Error ? err.message : 'Could not change the log level.'),
            )
            .finally(() => setBusy(false));
        }}
      >
        {!known && <option value={settings.log_level}>{settings.log_level}</option>}
        {LEVELS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {!log_level.set_by && log_level.saved !== null && log_level.saved !== 'info' && (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => void update({ log_level: null }).then(() => notify('ok', 'Log level is back to info.'))}
        >
          Reset to default
        </button>
      )}
    </SettingRow>
  );
}

/** The base URL changed at this start: provisioned agents still have the old one until a template sync. */
function BaseUrlChanged({ settings }: { settings: SettingsRead }) {
  const gateways = useApp((s) => s.gateways);
  if (!settings.previous_base_url || gateways.length === 0) return null;
  return (
    <Alert tone="warn" title="Agents were told a different URL">
      <p>
        Agents provisioned before this start call <code>{settings.previous_base_url}</code>; Mission Control now answers on{' '}
        <code>{settings.base_url}</code>. Run <strong>Sync templates</strong> on each gateway so they learn the new one:
      </p>
      <ul className="inline-links">
        {gateways.map((g) => (
          <li key={g.id}>
            <a href={`${href.gateway(g.id)}`}>{g.name}</a>
          </li>
        ))}
      </ul>
    </Alert>
  );
}

function StartAtLogin() {
  const { bridge } = useStores();
  const desktop = useApp((s) => s.desktop);
  const notify = useApp((s) => s.notify);
  const [on, setOn] = useState<boolean | null>(null);
  useEffect(() => {
    void bridge?.getStartAtLogin?.().then(setOn, () => setOn(null));
  }, [bridge]);
  if (!bridge?.setStartAtLogin) return null;
  return (
    <Card title="Desktop">
      <div className="settings-form">
        <SettingSwitch
          id="setting-login-label"
          label="Start at login"
          hint="Starts in the tray, without a window, when you log in."
          text="Start Mission Control when I log in"
          checked={on ?? false}
          disabled={on === null}
          onChange={(wanted) => {
            setOn(wanted);
            void bridge.setStartAtLogin?.(wanted).then(setOn, (err: unknown) => {
              setOn(!wanted);
              notify('bad', `Start at login could not be changed: ${(err as Error).message}`);
            });
          }}
        />
      </div>
      {desktop?.secretStorageWarning && (
        <Alert tone="warn" title="Secrets are not in a keychain">
          {desktop.secretStorageWarning}
        </Alert>
      )}
    </Card>
  );
}

export function SettingsPage() {
  const settings = useApp((s) => s.settings);
  if (!settings)
    return (
      <div className="page">
        <PageHeader title="Settings" />
        <p className="muted">Loading…</p>
      </div>
    );
  const value = (v: ReactNode, how: ReactNode) => (
    <span className="setting-value">
      <span className="mono">{v}</span>
      <span className="small muted">{how}</span>
    </span>
  );
  const flag = (f: string, env: string) => (
    <>
      <code>{f}</code> / <code>{env}</code>
    </>
  );
  return (
    <div className="page page-narrow">
      <PageHeader
        title="Settings"
        subtitle={`Mission Control ${settings.version}. Flags and environment variables win over what is saved here.`}
      />
      {settings.restart_required && (
        <Alert tone="info" title="Restart to apply">
          Saved changes to the port or the base URL take effect the next time Mission Control starts.
        </Alert>
      )}
      <BaseUrlChanged settings={settings} />
      <Card title="Server">
        {/* Keyed by what is saved: a save elsewhere (another window) resets the form to it. */}
        <ServerForm
          key={`${settings.editable.port.saved}|${settings.editable.base_url.saved}|${settings.port}|${settings.base_url}`}
          settings={settings}
        />
      </Card>
      <Card title="Logging">
        <div className="settings-form">
          <LogLevel settings={settings} />
        </div>
      </Card>
      <StartAtLogin />
      <RunAtBootSetting />
      <Card title="Data">
        <Facts
          items={[
            ['Data folder', <FolderRow path={settings.data_dir} which="data" />],
            ['Logs', <FolderRow path={settings.log_dir} which="logs" />],
            ['Saved settings', <code className="path">{settings.settings_file}</code>],
          ]}
        />
        <p className="hint card-foot">
          The data folder is chosen with {flag('--data-dir', 'MC_DATA_DIR')}: the database, the local token, logs and the device identity
          live there.
        </p>
      </Card>
      <StorageCard settings={settings} />
      <SchedulesCard />
      <Card title="Supervision">
        <Facts
          items={[
            [
              'Check-in deadline after a wake',
              value(`${settings.checkin_deadline_seconds} s`, flag('--checkin-deadline-seconds', 'MC_CHECKIN_DEADLINE_SECONDS')),
            ],
            ['Wakes before offline', value(String(settings.max_wake_attempts), flag('--max-wake-attempts', 'MC_MAX_WAKE_ATTEMPTS'))],
            [
              'Offline after silence',
              value(`${settings.offline_after_seconds} s`, flag('--offline-after-seconds', 'MC_OFFLINE_AFTER_SECONDS')),
            ],
            ['Oldest gateway accepted', value(settings.gateway_min_version, flag('--gateway-min-version', 'MC_GATEWAY_MIN_VERSION'))],
          ]}
        />
      </Card>
    </div>
  );
}
