import { useEffect, useState } from 'react';
import type { RunAtBoot } from '../../../../backend/contract/desktop-bridge';
import { Alert, Card } from '../../ui/components';
import { SettingSwitch } from '../../ui/setting-switch';
import { useApp, useStores } from '../../ui/context';

/**
 * Settings → "Run at boot without a window" (desktop app only): writes and enables the systemd user
 * unit (Linux) or launchd agent (macOS) that runs the headless server at boot (main/run-at-boot.ts).
 */
export function RunAtBootSetting() {
  const { bridge } = useStores();
  const notify = useApp((s) => s.notify);
  const [state, setState] = useState<RunAtBoot | null>(null);
  useEffect(() => {
    void bridge?.getRunAtBoot?.().then(setState, () => setState(null));
  }, [bridge]);
  if (!bridge?.setRunAtBoot || !state) return null;
  return (
    <Card title="Run at boot">
      <div className="settings-form">
        <SettingSwitch
          id="setting-boot-label"
          label="Run at boot without a window"
          hint={`Supervises your agents as a background service from boot, with no window or tray (${state.file ?? 'not offered here'}).`}
          text="Install the background service"
          checked={state.enabled}
          disabled={!state.supported}
          onChange={(wanted) => {
            void bridge.setRunAtBoot?.(wanted).then(setState, (err: unknown) => {
              notify('bad', `Run at boot could not be changed: ${(err as Error).message}`);
            });
          }}
        />
      </div>
      {state.note && (
        <Alert tone={state.supported ? 'info' : 'warn'} title="Run at boot">
          {state.note}
        </Alert>
      )}
    </Card>
  );
}
