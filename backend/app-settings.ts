import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentBaseUrl, ListenPort } from './contract/session.js';
import { LogLevelName } from './contract/diagnostics.js';
import { RetentionDays } from './contract/storage.js';
import { SchedulePreferences } from './contract/schedules.js';

/*
 * `<dataDir>/app-settings.json` holds two things:
 *
 * - `base_url`: what the app last told its agents, written at every start. Commands that work on the
 *   data dir while the app is not running (`mission-control templates sync`) render agents' files
 *   with it instead of their own defaults, so a sync never points agents at a different address than
 *   the app they check in with.
 * - `preferences`: what was chosen on the Settings page (port, base URL, log level, retention days). At start they
 *   apply where no flag or variable set the same thing (flags and env win, see config.ts).
 */

/** Settings chosen in the UI. Each is optional: absent = the default. */
export const AppPreferences = z.object({
  port: ListenPort.optional(),
  base_url: AgentBaseUrl.optional(),
  log_level: LogLevelName.optional(),
  retention_days: RetentionDays.optional(),
  /** The schedules (backend/schedules/); a damaged block is dropped alone (defaults apply). */
  schedules: SchedulePreferences.optional().catch(undefined),
});
export type AppPreferences = z.infer<typeof AppPreferences>;

const AppSettings = z.object({
  /** The URL agents were told to call (`--base-url` / `MC_BASE_URL`, a saved preference, or the default from the port). */
  base_url: z.url(),
  written_at: z.string(),
  /** A damaged preferences block is dropped (defaults apply), not a reason to lose `base_url`. */
  preferences: AppPreferences.catch({}).default({}),
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

/** Temp file + rename: never read half-written. */
function write(dataDir: string, settings: AppSettings): void {
  const temp = `${appSettingsFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, appSettingsFile(dataDir));
}

/** Written by the app at start: the base URL agents are told from now on (saved preferences are kept). */
export function writeAppSettings(dataDir: string, baseUrl: string, now: Date): void {
  const preferences = readAppSettings(dataDir)?.preferences ?? {};
  write(dataDir, { base_url: baseUrl, written_at: now.toISOString(), preferences });
}

/** Written by the Settings page: replaces the preferences, keeps what agents were told. */
export function writeAppPreferences(dataDir: string, preferences: AppPreferences, current: { baseUrl: string; now: Date }): void {
  const saved = readAppSettings(dataDir);
  write(dataDir, {
    base_url: saved?.base_url ?? current.baseUrl,
    written_at: saved?.written_at ?? current.now.toISOString(),
    preferences: AppPreferences.parse(preferences),
  });
}
