import { useState, type FormEvent } from 'react';
import type { SettingsRead } from '../../../../backend/contract/session';
import { href } from '../../model/routes';
import { Alert, Pill } from '../../ui/components';
import { useApp } from '../../ui/context';
import { fieldErrors, NumberBox, SettingRow } from './setting-row';

const LEVELS = [
  ['fatal', 'fatal — only crashes'],
  ['error', 'error'],
  ['warn', 'warn'],
  ['info', 'info (default)'],
  ['debug', 'debug — every request'],
  ['trace', 'trace — everything'],
] as const;

/** Port and base URL: saved now, used from the next start. */
export function ServerForm({ settings }: { settings: SettingsRead }) {
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
        <NumberBox id="setting-port" value={portText} onChange={setPortText} locked={Boolean(port.set_by)} invalid={Boolean(errors.port)} />
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

export function LogLevel({ settings }: { settings: SettingsRead }) {
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
export function BaseUrlChanged({ settings }: { settings: SettingsRead }) {
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
