import { createStore } from 'zustand/vanilla';
import type { TemplateDriftResult, TemplateSyncProgress, TemplateSyncResult } from '../../../../backend/contract/templates.js';
import type { ApiClient, ApiClientOptions } from '../api/client.js';
import { dispatchPushEvent, subscribeEventStream } from '../api/events.js';
import { describeProblem, type Problem } from '../problem.js';

/** `sync`: rewrite the files, keep valid tokens. `rotate`: new tokens for every agent, then wait for their check-ins. */
export type SyncMode = 'sync' | 'rotate';

/** The sync's options as the dialog offers them (the API's query flags). */
export interface SyncOptions {
  /** null: every board of the gateway. */
  board_id: string | null;
  include_main: boolean;
  lead_only: boolean;
  overwrite: boolean;
  reset_sessions: boolean;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  board_id: null,
  include_main: true,
  lead_only: false,
  overwrite: false,
  reset_sessions: false,
};

export interface SyncState {
  gatewayId: string | null;
  options: SyncOptions;
  drift: TemplateDriftResult | null;
  driftLoading: boolean;
  driftError: Problem | null;
  /** The sync this window started and is waiting for. */
  running: SyncMode | null;
  /** The latest progress event of a sync on this gateway (ours, or one started elsewhere). */
  progress: TemplateSyncProgress | null;
  /** One entry per agent done, in the order the sync reported them. */
  progressLog: TemplateSyncProgress[];
  result: TemplateSyncResult | null;
  resultMode: SyncMode | null;
  /** The last finished run on this page, kept when the dialog closes (the section shows it). */
  last: { result: TemplateSyncResult; mode: SyncMode } | null;
  error: Problem | null;

  /** Which gateway this store shows; a different one starts from a clean slate. */
  open(gatewayId: string): void;
  setOptions(patch: Partial<SyncOptions>): void;
  /** The drift preview for the scope in `options` (board, main agent, leads only); `fresh` drops the one shown first. */
  loadDrift(fresh?: boolean): Promise<TemplateDriftResult | null>;
  /** Runs the sync (`rotate`: rotate_tokens + verify) and waits for its result. */
  run(mode: SyncMode): Promise<TemplateSyncResult | null>;
  applyProgress(progress: TemplateSyncProgress): void;
  /** Back to the preview (result and errors cleared; options kept). */
  reset(): void;
}

/** Query-string booleans as the contract reads them. */
const flag = (b: boolean) => (b ? 'true' : 'false') as 'true' | 'false';

/** The query a sync sends: the scope and options, and for a rotation new tokens plus the verify wait. */
export function syncQuery(options: SyncOptions, mode: SyncMode) {
  return {
    include_main: flag(options.include_main),
    lead_only: flag(options.lead_only),
    ...(options.board_id ? { board_id: options.board_id } : {}),
    overwrite: flag(mode === 'sync' && options.overwrite),
    reset_sessions: flag(mode === 'sync' && options.reset_sessions),
    rotate_tokens: flag(mode === 'rotate'),
    verify: flag(mode === 'rotate'),
  };
}

type GatewayState = Pick<
  SyncState,
  'options' | 'drift' | 'driftError' | 'progress' | 'progressLog' | 'result' | 'resultMode' | 'last' | 'error'
>;

/** What the store holds about a gateway before anything is read: at first, and when another gateway is opened. */
const freshGatewayState = (): GatewayState => ({
  options: DEFAULT_SYNC_OPTIONS,
  drift: null,
  driftError: null,
  progress: null,
  progressLog: [],
  result: null,
  resultMode: null,
  last: null,
  error: null,
});

/**
 * Template sync for one gateway: drift preview → options → run → result. Progress comes from the
 * event stream (`event: template_sync`, see {@link watchSyncProgress}); the API client is injected,
 * so the store runs in tests against a real backend.
 */
export function createSyncStore(api: ApiClient) {
  return createStore<SyncState>()((set, get) => ({
    gatewayId: null,
    driftLoading: false,
    running: null,
    ...freshGatewayState(),

    open(gatewayId) {
      if (get().gatewayId === gatewayId) return;
      set({ gatewayId, ...freshGatewayState() });
    },

    setOptions(patch) {
      set({ options: { ...get().options, ...patch } });
    },

    async loadDrift(fresh = false) {
      const { gatewayId, options } = get();
      if (!gatewayId) return null;
      set({ driftLoading: true, driftError: null, ...(fresh && { drift: null }) });
      try {
        const drift = await api('gatewayTemplateDrift', {
          params: { gateway_id: gatewayId },
          query: {
            include_main: flag(options.include_main),
            lead_only: flag(options.lead_only),
            ...(options.board_id ? { board_id: options.board_id } : {}),
          },
        });
        // A slower answer for a scope changed meanwhile must not overwrite the newer one.
        if (get().gatewayId === gatewayId && get().options === options) set({ drift });
        return drift;
      } catch (err) {
        set({ driftError: describeProblem(err, 'The drift preview') });
        return null;
      } finally {
        set({ driftLoading: false });
      }
    },

    async run(mode) {
      const { gatewayId, options, running } = get();
      if (!gatewayId || running) return null;
      set({ running: mode, error: null, result: null, resultMode: null, progress: null, progressLog: [] });
      try {
        const result = await api('syncGatewayTemplates', { params: { gateway_id: gatewayId }, query: syncQuery(options, mode) });
        set({ result, resultMode: mode, last: { result, mode } });
        return result;
      } catch (err) {
        set({ error: describeProblem(err, mode === 'rotate' ? 'Rotate tokens & re-sync' : 'The template sync') });
        return null;
      } finally {
        set({ running: null });
      }
    },

    applyProgress(progress) {
      if (progress.gateway_id !== get().gatewayId) return;
      const log = progress.phase === 'started' ? [] : get().progressLog;
      set({
        progress,
        progressLog: progress.phase === 'agent' ? [...log.filter((p) => p.agent_id !== progress.agent_id), progress] : log,
      });
    },

    reset() {
      set({ result: null, resultMode: null, error: null, progress: null, progressLog: [] });
    },
  }));
}

export type SyncStore = ReturnType<typeof createSyncStore>;

/** Feeds `template_sync` progress events from the event stream into a listener, parsed with the contract's schema. */
export function watchSyncProgress(options: ApiClientOptions, onProgress: (p: TemplateSyncProgress) => void): { close(): void } {
  return subscribeEventStream(options, {
    onEvent: (ev) => dispatchPushEvent(ev, { template_sync: onProgress }),
  });
}
