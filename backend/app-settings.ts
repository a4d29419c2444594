import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/*
 * `<dataDir>/app-settings.json`: what the app last told its agents, written at every start. Commands
 * that work on the data dir while the app is not running (`mission-control templates sync`) render
 * agents' files with these values instead of their own defaults, so a sync never points agents at a
 * different address than the app they check in with.
 */

const AppSettings = z.object({
  /** The URL agents were told to call (`--base-url` / `MC_BASE_URL`, or the default from the port). */
  base_url: z.url(),
  written_at: z.string(),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const appSettingsFile = (dataDir: string): string => join(dataDir, 'app-settings.json');

/** The app's last settings, or undefined (never started with this version, or unreadable). */
export function readAppSettings(dataDir: string): AppSettings | undefined {
  try {
    const parsed = AppSettings.safeParse(JSON.parse(readFileSync(appSettingsFile(dataDir), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written by the app at start (temp file + rename: never read half-written). */
export function writeAppSettings(dataDir: string, baseUrl: string, now: Date): void {
  const settings: AppSettings = { base_url: baseUrl, written_at: now.toISOString() };
  const temp = `${appSettingsFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(settings)}\n`, { mode: 0o600 });
  renameSync(temp, appSettingsFile(dataDir));
}
