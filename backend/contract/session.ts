import { z } from 'zod';
import { LogLevelName } from './diagnostics.js';
import { RetentionDays, StorageRead } from './storage.js';
import { OkResponse } from './common.js';
import { UserRead } from './compat.js';
import { defineRoute } from './route.js';

/*
 * Headless sign-in: the browser never holds the local token. `serve` prints a one-time login link;
 * opening it exchanges the code for an HttpOnly, SameSite=Strict session cookie, which the API
 * accepts as the local user. Pasting the local token into the sign-in form does the same exchange.
 */

/** `GET /auth/login?code=…`: the one-time code printed by `serve` (never the local token). */
export const LoginQuery = z.object({ code: z.string().trim().min(16).max(200) });

/** `POST /api/v1/auth/session`: the local token, exchanged once for the session cookie. */
export const SessionCreate = z.strictObject({ token: z.string().trim().min(1).max(4096) });

/** The URL agents are told to call: absolute http(s), no credentials, query or fragment; trailing slashes dropped. */
export const AgentBaseUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
  .max(2048)
  .refine(
    (value) => {
      // Runs after a failed URL check too: not parseable is that check's issue, not this one's.
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    },
    { message: 'must not contain credentials, a query or a fragment' },
  )
  .transform((u) => u.replace(/\/+$/, ''));

/** A port to listen on from the next start (1–65535; `--port 0` for "any free port" stays a flag). */
export const ListenPort = z.number().int().min(1).max(65_535);

/** How one setting the Settings page can change is decided. */
const Editable = <T extends z.ZodType>(value: T) =>
  z.object({
    /** Saved on the Settings page (`<dataDir>/app-settings.json`); null = the default. */
    saved: value.nullable(),
    /** The flag or variable that set it at start (`--port`, `MC_PORT`, …): it wins, so it cannot be changed here. */
    set_by: z.string().nullable(),
    /** `now`: applied at once; `restart`: used from the next start. */
    applies: z.enum(['now', 'restart']),
  });

/** What the Settings page shows: how this server runs, and what can be changed from the UI. */
export const SettingsRead = z.object({
  version: z.string(),
  /** The port this server listens on (now). */
  port: z.number().int(),
  host: z.string(),
  /** The URL agents are told to call (now). */
  base_url: z.string(),
  data_dir: z.string(),
  log_dir: z.string(),
  /** The log level in effect right now (the Settings page and the doctor's fix change it at once). */
  log_level: z.string(),
  checkin_deadline_seconds: z.number(),
  max_wake_attempts: z.number().int(),
  offline_after_seconds: z.number(),
  gateway_min_version: z.string(),
  /** Where saved settings live. */
  settings_file: z.string(),
  editable: z.object({
    port: Editable(z.number().int()),
    base_url: Editable(z.string()),
    log_level: Editable(z.string()),
    retention_days: Editable(z.number().int()),
  }),
  /** The log file with its rotation, and the growing tables with their retention (contract/storage.ts). */
  storage: StorageRead,
  /** A saved port or base URL differs from the one in use: it takes effect when the app restarts. */
  restart_required: z.boolean(),
  /**
   * The base URL agents were told before this start, when it differs from `base_url`: provisioned
   * agents still call the old one until a template sync on their gateway rewrites their files.
   */
  previous_base_url: z.string().nullable(),
});
export type SettingsRead = z.infer<typeof SettingsRead>;

/**
 * `PATCH /api/v1/settings`: only the fields sent change; `null` returns a setting to its default.
 * A setting given by a flag or variable at start cannot be changed here (422 naming the field).
 */
export const SettingsUpdate = z.strictObject({
  port: ListenPort.nullable().optional(),
  base_url: AgentBaseUrl.nullable().optional(),
  log_level: LogLevelName.nullable().optional(),
  retention_days: RetentionDays.nullable().optional(),
});
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

/** The local user: sign-in, session cookie, settings. */
export const SESSION_ROUTES = {
  authBootstrap: defineRoute({
    method: 'post',
    path: '/api/v1/auth/bootstrap',
    operationId: 'auth_bootstrap',
    summary: 'Resolve the local user (web-edition compatible)',
    tags: ['auth'],
    auth: 'user',
    response: UserRead,
  }),
  login: defineRoute({
    method: 'get',
    path: '/auth/login',
    operationId: 'login',
    summary:
      'Open the one-time login link `serve` prints: sets an HttpOnly SameSite=Strict session cookie and redirects (303) to the UI; a used or unknown code is a 401 page',
    tags: ['auth'],
    auth: 'open',
    query: LoginQuery,
    response: OkResponse,
    status: 303,
  }),
  createSession: defineRoute({
    method: 'post',
    path: '/api/v1/auth/session',
    operationId: 'create_session',
    summary: 'Exchange the local token for the UI’s session cookie (HttpOnly, SameSite=Strict); the token is not kept by the browser',
    tags: ['auth'],
    auth: 'open',
    body: SessionCreate,
    response: OkResponse,
  }),
  deleteSession: defineRoute({
    method: 'delete',
    path: '/api/v1/auth/session',
    operationId: 'delete_session',
    summary: 'Sign out: end the session of this cookie',
    tags: ['auth'],
    auth: 'open',
    response: OkResponse,
  }),
  getSettings: defineRoute({
    method: 'get',
    path: '/api/v1/settings',
    operationId: 'get_settings',
    summary: 'How this server runs: port, base URL agents use, data folder, log level, check-in policy',
    tags: ['settings'],
    auth: 'user',
    response: SettingsRead,
  }),
  updateSettings: defineRoute({
    method: 'patch',
    path: '/api/v1/settings',
    operationId: 'update_settings',
    summary:
      'Change settings from the UI: log level (at once), port and base URL agents use (saved to app-settings.json, used from the next start). `null` restores the default; a value set by a flag or variable is refused (422)',
    tags: ['settings'],
    auth: 'user',
    body: SettingsUpdate,
    response: SettingsRead,
  }),
  usersMe: defineRoute({
    method: 'get',
    path: '/api/v1/users/me',
    operationId: 'users_me',
    summary: 'The local user',
    tags: ['users'],
    auth: 'user',
    response: UserRead,
  }),
} as const;
