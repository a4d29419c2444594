import { z } from 'zod';

/*
 * Headless sign-in: the browser never holds the local token. `serve` prints a one-time login link;
 * opening it exchanges the code for an HttpOnly, SameSite=Strict session cookie, which the API
 * accepts as the local user. Pasting the local token into the sign-in form does the same exchange.
 */

/** `GET /auth/login?code=…`: the one-time code printed by `serve` (never the local token). */
export const LoginQuery = z.object({ code: z.string().trim().min(16).max(200) });

/** `POST /api/v1/auth/session`: the local token, exchanged once for the session cookie. */
export const SessionCreate = z.strictObject({ token: z.string().trim().min(1).max(4096) });

/** What the Settings page shows: how this server was started (read-only; change by flag or env). */
export const SettingsRead = z.object({
  version: z.string(),
  port: z.number().int(),
  host: z.string(),
  base_url: z.string(),
  data_dir: z.string(),
  log_dir: z.string(),
  log_level: z.string(),
  checkin_deadline_seconds: z.number(),
  max_wake_attempts: z.number().int(),
  offline_after_seconds: z.number(),
  gateway_min_version: z.string(),
});
export type SettingsRead = z.infer<typeof SettingsRead>;
