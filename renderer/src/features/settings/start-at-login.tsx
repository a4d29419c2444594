import { useEffect, useState } from 'react';
import { Alert, Card } from '../../ui/components';
import { useApp, useStores } from '../../ui/context';
import { SettingSwitch } from '../../ui/setting-switch';

export function StartAtLogin() {
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
