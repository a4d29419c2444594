import { type ReactNode } from 'react';
import { Alert, Card, Facts, PageHeader } from '../../ui/components';
import { useApp } from '../../ui/context';
import { RunAtBootSetting } from './run-at-boot';
import { BaseUrlChanged, LogLevel, ServerForm } from './server-form';
import { FolderRow } from './setting-row';
import { SchedulesCard } from './settings-schedules';
import { StorageCard } from './settings-storage';
import { StartAtLogin } from './start-at-login';

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
      <Card title="Wake ladder">
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
