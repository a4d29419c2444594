import { useEffect, useState } from 'react';
import { Card, Facts, PageHeader } from '../components/ui';
import { useApp, useStores } from '../context';

const how = (flag: string, env: string) => (
  <span className="small muted">
    change with <code>{flag}</code> or <code>{env}</code>
  </span>
);

export function SettingsPage() {
  const settings = useApp((s) => s.settings);
  const { bridge } = useStores();
  const [startAtLogin, setStartAtLogin] = useState<boolean | null>(null);
  useEffect(() => {
    void bridge?.getStartAtLogin?.().then(setStartAtLogin, () => setStartAtLogin(null));
  }, [bridge]);
  if (!settings)
    return (
      <div className="page">
        <PageHeader title="Settings" />
        <p className="muted">Loading…</p>
      </div>
    );
  const row = (value: string, hint: React.ReactNode) => (
    <span className="setting-value">
      <span className="mono">{value}</span> {hint}
    </span>
  );
  return (
    <div className="page">
      <PageHeader
        title="Settings"
        subtitle={`How this Mission Control (${settings.version}) runs. Values come from flags and environment at start.`}
      />
      <Card title="Server">
        <Facts
          items={[
            ['Port', row(String(settings.port), how('--port', 'MC_PORT'))],
            ['Base URL agents use', row(settings.base_url, how('--base-url', 'MC_BASE_URL'))],
            ['Log level', row(settings.log_level, how('--log-level', 'MC_LOG_LEVEL'))],
          ]}
        />
      </Card>
      <Card title="Data">
        <Facts
          items={[
            [
              'Data folder',
              <span className="setting-value">
                <span className="mono">{settings.data_dir}</span>
                {bridge?.revealFolder ? (
                  <button type="button" className="btn btn-sm" onClick={() => void bridge.revealFolder?.('data')}>
                    Show in folder
                  </button>
                ) : (
                  how('--data-dir', 'MC_DATA_DIR')
                )}
              </span>,
            ],
            [
              'Logs',
              <span className="setting-value">
                <span className="mono">{settings.log_dir}</span>
                {bridge?.revealFolder && (
                  <button type="button" className="btn btn-sm" onClick={() => void bridge.revealFolder?.('logs')}>
                    Show in folder
                  </button>
                )}
              </span>,
            ],
          ]}
        />
      </Card>
      <Card title="Supervision">
        <Facts
          items={[
            [
              'Check-in deadline after a wake',
              row(`${settings.checkin_deadline_seconds} s`, how('--checkin-deadline-seconds', 'MC_CHECKIN_DEADLINE_SECONDS')),
            ],
            ['Wakes before offline', row(String(settings.max_wake_attempts), how('--max-wake-attempts', 'MC_MAX_WAKE_ATTEMPTS'))],
            [
              'Offline after silence',
              row(`${settings.offline_after_seconds} s`, how('--offline-after-seconds', 'MC_OFFLINE_AFTER_SECONDS')),
            ],
            ['Oldest gateway accepted', row(settings.gateway_min_version, how('--gateway-min-version', 'MC_GATEWAY_MIN_VERSION'))],
          ]}
        />
      </Card>
      {bridge?.setStartAtLogin && (
        <Card title="Desktop">
          <label className="check">
            <input
              type="checkbox"
              checked={startAtLogin ?? false}
              disabled={startAtLogin === null}
              onChange={(e) => {
                const on = e.target.checked;
                setStartAtLogin(on);
                void bridge.setStartAtLogin?.(on);
              }}
            />{' '}
            Start Mission Control when I log in
          </label>
        </Card>
      )}
    </div>
  );
}
