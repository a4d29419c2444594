import { createStore } from 'zustand/vanilla';
import type { AgentCreate, AgentRead } from '../../../../backend/contract/agents.js';
import type { BoardCreate, BoardRead } from '../../../../backend/contract/boards.js';
import type { DiscoveredGateway, GatewayCreate, GatewayRead, TeardownResult } from '../../../../backend/contract/gateways.js';
import type { SettingsRead, SettingsUpdate } from '../../../../backend/contract/session.js';
import type { z } from 'zod';
import { ApiError, type ApiClient } from '../api/client.js';
import type { StreamState } from '../api/events.js';
import type { DesktopInfo } from '../desktop.js';

export type SessionState = 'checking' | 'signed-out' | 'ready';

export interface Toast {
  id: number;
  tone: 'ok' | 'bad' | 'info';
  text: string;
}

export interface AppState {
  session: SessionState;
  /** Why the last sign-in failed, or why the backend could not be read. */
  error: string | null;
  /** True until the first full read after sign-in. */
  loading: boolean;
  stream: StreamState | 'off';
  /** Inside the desktop app: the bridge signed the UI in (no sign-in page, no sign-out). */
  desktop: DesktopInfo | null;
  settings: SettingsRead | null;
  discovered: z.infer<typeof DiscoveredGateway> | null;
  gateways: GatewayRead[];
  boards: BoardRead[];
  agents: AgentRead[];
  toasts: Toast[];
  /** Ids of agents with an action running (buttons show it and do not fire twice). */
  busy: Record<string, string>;

  init(): Promise<void>;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
  refreshAgents(): Promise<void>;
  refreshGateways(): Promise<void>;
  /** A live agent record (event stream or an action's answer) replaces the one shown, in place. */
  applyAgent(agent: AgentRead): void;
  /** A live gateway record (event stream: connection state, version, last error) replaces the one shown, in place. */
  applyGateway(gateway: GatewayRead): void;
  /** Save settings (422s come back as an ApiError naming the fields); the page shows the answer. */
  updateSettings(patch: z.input<typeof SettingsUpdate>): Promise<SettingsRead>;
  setStream(state: StreamState | 'off'): void;
  createGateway(body: z.input<typeof GatewayCreate>): Promise<GatewayRead>;
  /** Deletes its agents on the gateway first; `force` deletes the records even when that cannot be done. */
  deleteGateway(id: string, force?: boolean): Promise<TeardownResult>;
  deleteBoard(id: string, force?: boolean): Promise<TeardownResult>;
  createBoard(body: z.input<typeof BoardCreate>): Promise<BoardRead>;
  createAgent(body: z.input<typeof AgentCreate>): Promise<AgentRead>;
  /** `force-delete` removes only the record (its gateway is gone or unreachable). */
  agentAction(id: string, action: 'wake' | 'reprovision' | 'delete' | 'force-delete' | 'allow-checkin'): Promise<void>;
  notify(tone: Toast['tone'], text: string): void;
  dismiss(id: number): void;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : 'Something went wrong.');

/** Agents sorted as the tables show them: by board, then leads first, then by name. */
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

export function upsertAgent(list: AgentRead[], agent: AgentRead): AgentRead[] {
  const i = list.findIndex((a) => a.id === agent.id);
  if (i < 0) return [...list, agent].sort(byName);
  // Same slot, new object: rows stay where they are (no jump) and only this row re-renders.
  const next = list.slice();
  next[i] = agent;
  return next;
}

/**
 * The app-wide store: who is signed in, the lists every page shows, and the actions on them. The
 * API client is injected (the browser's, or the Electron bridge's), so the store runs in tests
 * against a real backend.
 */
export function createAppStore(api: ApiClient, options: { desktop?: DesktopInfo | null; problem?: string | null } = {}) {
  let toastId = 0;
  return createStore<AppState>()((set, get) => {
    const fail = (err: unknown) => get().notify('bad', message(err));
    return {
      session: 'checking',
      error: options.problem ?? null,
      loading: false,
      stream: 'off',
      desktop: options.desktop ?? null,
      settings: null,
      discovered: null,
      gateways: [],
      boards: [],
      agents: [],
      toasts: [],
      busy: {},

      async init() {
        try {
          await api('usersMe');
          set({ session: 'ready', error: null });
          await get().refresh();
        } catch (err) {
          if (err instanceof ApiError && err.status === 401)
            set({
              session: 'signed-out',
              ...(get().desktop && { error: 'The desktop app’s token was not accepted by its own backend. Restart Mission Control.' }),
            });
          else set({ session: 'signed-out', error: `Could not reach Mission Control: ${message(err)}` });
        }
      },

      async signIn(token) {
        set({ error: null });
        try {
          await api('createSession', { body: { token: token.trim() } });
        } catch (err) {
          set({
            error:
              err instanceof ApiError && err.status === 401
                ? 'That token was not accepted. Check the local-auth-token file and paste it again.'
                : message(err),
          });
          return;
        }
        await get().init();
      },

      async signOut() {
        await api('deleteSession').catch(() => undefined);
        set({ session: 'signed-out', gateways: [], boards: [], agents: [], settings: null, discovered: null, stream: 'off' });
      },

      async refresh() {
        set({ loading: true });
        try {
          const [gateways, boards, agents, settings, discovered] = await Promise.all([
            api('listGateways'),
            api('listBoards'),
            api('listAgents'),
            api('getSettings'),
            api('discoverGateway'),
          ]);
          set({
            gateways: gateways.items,
            boards: boards.items,
            agents: agents.items.slice().sort(byName),
            settings,
            discovered,
            loading: false,
          });
        } catch (err) {
          set({ loading: false });
          if (err instanceof ApiError && err.status === 401) set({ session: 'signed-out' });
          else fail(err);
        }
      },

      async refreshAgents() {
        try {
          const agents = await api('listAgents');
          set({ agents: agents.items.slice().sort(byName) });
        } catch (err) {
          fail(err);
        }
      },

      async refreshGateways() {
        try {
          const [gateways, discovered] = await Promise.all([api('listGateways'), api('discoverGateway')]);
          set({ gateways: gateways.items, discovered });
        } catch (err) {
          fail(err);
        }
      },

      applyAgent(agent) {
        set({ agents: upsertAgent(get().agents, agent) });
      },

      applyGateway(gateway) {
        const list = get().gateways;
        const i = list.findIndex((g) => g.id === gateway.id);
        if (i < 0) return; // not listed (yet): the next full read brings it with everything else
        const next = list.slice();
        next[i] = gateway;
        set({ gateways: next });
      },

      async updateSettings(patch) {
        const settings = await api('updateSettings', { body: patch });
        set({ settings });
        return settings;
      },

      setStream(stream) {
        set({ stream });
      },

      async createGateway(body) {
        const gateway = await api('createGateway', { body });
        await get().refresh();
        get().notify('ok', `Gateway “${gateway.name}” added.`);
        return gateway;
      },

      async deleteGateway(id, force = false) {
        const result = await api('deleteGateway', { params: { gateway_id: id }, ...(force ? { query: { force: 'true' as const } } : {}) });
        await get().refresh();
        return result;
      },

      async deleteBoard(id, force = false) {
        const result = await api('deleteBoard', { params: { board_id: id }, ...(force ? { query: { force: 'true' as const } } : {}) });
        await get().refresh();
        return result;
      },

      async createBoard(body) {
        const board = await api('createBoard', { body });
        await get().refresh();
        get().notify('ok', `Board “${board.name}” created.`);
        return board;
      },

      async createAgent(body) {
        const agent = await api('createAgent', { body });
        get().applyAgent(agent);
        get().notify(
          agent.last_provision_error ? 'bad' : 'ok',
          agent.last_provision_error
            ? `“${agent.name}” was created but not provisioned: ${agent.last_provision_error}`
            : `“${agent.name}” created and woken.`,
        );
        return agent;
      },

      async agentAction(id, action) {
        if (get().busy[id]) return;
        set({ busy: { ...get().busy, [id]: action } });
        try {
          const params = { agent_id: id };
          if (action === 'delete' || action === 'force-delete') {
            await api('deleteAgent', { params, ...(action === 'force-delete' ? { query: { force: 'true' as const } } : {}) });
            set({ agents: get().agents.filter((a) => a.id !== id) });
            get().notify('ok', 'Agent deleted.');
          } else {
            const agent =
              action === 'wake'
                ? await api('wakeAgent', { params })
                : action === 'reprovision'
                  ? await api('reprovisionAgent', { params })
                  : await api('allowAgentCheckin', { params });
            get().applyAgent(agent);
            // A wake is answered once counted, before the gateway says anything: its outcome arrives live.
            const done = { wake: 'Wake requested (the outcome follows live)', reprovision: 'Re-provisioned and woken', 'allow-checkin': 'Check-in allowed' }[action];
            get().notify(
              agent.last_provision_error ? 'bad' : 'ok',
              agent.last_provision_error ? `${agent.name}: ${agent.last_provision_error}` : `${done}: ${agent.name}.`,
            );
          }
        } catch (err) {
          fail(err);
        } finally {
          const { [id]: _done, ...rest } = get().busy;
          set({ busy: rest });
        }
      },

      notify(tone, text) {
        const id = ++toastId;
        set({ toasts: [...get().toasts.slice(-3), { id, tone, text }] });
        setTimeout(() => get().dismiss(id), tone === 'bad' ? 10_000 : 4_000);
      },

      dismiss(id) {
        set({ toasts: get().toasts.filter((t) => t.id !== id) });
      },
    };
  });
}

export type AppStore = ReturnType<typeof createAppStore>;
