import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

/** Desktop-only preferences, in `<dataDir>/desktop-settings.json`. Start at login lives in the OS. */
const DesktopSettings = z.object({
  /** Closing the window keeps the app (and the wake ladder) running in the tray. */
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
      writeFileAtomic(file, `${JSON.stringify(current, null, 2)}\n`, 0o600);
      return current;
    },
  };
}
