import { z } from 'zod';

/*
 * The desktop bridge: what the Electron preload exposes to the UI as `window.missionControl`.
 * Shared by main/ (which parses every IPC argument with these schemas) and renderer/ (which may
 * type `window.missionControl` with `DesktopBridge`). The UI must work without it (headless mode
 * serves the same UI to a plain browser): check `window.missionControl` before using it.
 */

/** No arguments. */
export const BootstrapArgs = z.tuple([]);
/** Only http(s) links go to the system browser. */
export const OpenExternalArgs = z.tuple([
  z.strictObject({
    url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).max(4096),
  }),
]);
export const RevealFolderArgs = z.tuple([z.strictObject({ folder: z.enum(['data', 'logs']) })]);
/** No arguments: whether the app starts (tray only) when the user logs in. */
export const GetStartAtLoginArgs = z.tuple([]);
export const SetStartAtLoginArgs = z.tuple([z.strictObject({ enabled: z.boolean() })]);
/** What both start-at-login calls answer: the state as the OS (or the XDG autostart entry) has it now. */
export const StartAtLogin = z.object({ enabled: z.boolean() });
export type StartAtLogin = z.infer<typeof StartAtLogin>;

/** Run at boot without a window: the headless server as a systemd user unit / launchd agent. */
export const GetRunAtBootArgs = z.tuple([]);
export const SetRunAtBootArgs = z.tuple([z.strictObject({ enabled: z.boolean() })]);
export const RunAtBoot = z.object({
  enabled: z.boolean(),
  /** False where it is not offered (Windows, an AppImage): `note` says why. */
  supported: z.boolean(),
  /** The unit or agent file. */
  file: z.string().nullable(),
  /** What happened or what is missing, in plain words (a failed `systemctl` step in its own words). */
  note: z.string(),
});
export type RunAtBoot = z.infer<typeof RunAtBoot>;

export const DesktopBootstrap = z.object({
  /** Where the API and UI answer (same origin as the window). */
  api_url: z.string(),
  /** The local user's token, so the desktop UI never asks for it. */
  token: z.string(),
  version: z.string(),
  platform: z.string(),
  /** How secrets are kept at rest; `warning` is shown to the user when it is not null. */
  secret_storage: z.object({ kind: z.enum(['os', 'plaintext']), warning: z.string().nullable() }),
});
export type DesktopBootstrap = z.infer<typeof DesktopBootstrap>;

/**
 * The bridge as one table: method → IPC channel, argument tuple and answer. main/ipc.ts registers one
 * handler per entry (parsing the arguments with `args`), main/preload.cts exposes one method per entry
 * (its channel map is type-checked against this table, and test/unit/desktop-bridge.test.ts loads it),
 * and the renderer's adapter (renderer/src/bridge.ts) parses every answer with `result`.
 */
export const DESKTOP_BRIDGE = {
  bootstrap: { channel: 'mc:bootstrap', args: BootstrapArgs, result: DesktopBootstrap },
  openExternal: { channel: 'mc:open-external', args: OpenExternalArgs, result: z.void() },
  revealFolder: { channel: 'mc:reveal-folder', args: RevealFolderArgs, result: z.void() },
  getStartAtLogin: { channel: 'mc:get-start-at-login', args: GetStartAtLoginArgs, result: StartAtLogin },
  setStartAtLogin: { channel: 'mc:set-start-at-login', args: SetStartAtLoginArgs, result: StartAtLogin },
  getRunAtBoot: { channel: 'mc:get-run-at-boot', args: GetRunAtBootArgs, result: RunAtBoot },
  setRunAtBoot: { channel: 'mc:set-run-at-boot', args: SetRunAtBootArgs, result: RunAtBoot },
} as const;

export type BridgeMethod = keyof typeof DESKTOP_BRIDGE;
export type BridgeArgs<K extends BridgeMethod> = z.input<(typeof DESKTOP_BRIDGE)[K]['args']>;
export type BridgeResult<K extends BridgeMethod> = z.output<(typeof DESKTOP_BRIDGE)[K]['result']>;

/** Method → channel, derived from the table. */
export const BRIDGE_CHANNELS = Object.fromEntries(Object.entries(DESKTOP_BRIDGE).map(([name, entry]) => [name, entry.channel])) as {
  readonly [K in BridgeMethod]: (typeof DESKTOP_BRIDGE)[K]['channel'];
};
export type BridgeChannel = (typeof BRIDGE_CHANNELS)[BridgeMethod];

/** What the preload exposes as `window.missionControl`: one method per entry of the table. */
export type DesktopBridge = { [K in BridgeMethod]: (...args: BridgeArgs<K>) => Promise<BridgeResult<K>> };
