import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Desktop-only preferences, in `<dataDir>/desktop-settings.json`. Start at login lives in the OS. */
const DesktopSettings = z.object({
  /** Closing the window keeps the app (and the supervisor) running in the tray. */
  closeToTray: z.boolean().default(true),
});
export type DesktopSettings = z.infer<typeof DesktopSettings>;

export function settingsStore(dataDir: string) {
  const file = join(dataDir, 'desktop-settings.json');
  let current: DesktopSettings;
  try {
    current = DesktopSettings.parse(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
  } catch {
    current = DesktopSettings.parse({}); // a damaged file falls back to the defaults
  }
  return {
    get: (): DesktopSettings => current,
    update(patch: Partial<DesktopSettings>): DesktopSettings {
      current = DesktopSettings.parse({ ...current, ...patch });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
      return current;
    },
  };
}
