import { create } from 'zustand';
import type { AgentRead } from '../../backend/contract/agents';
import type { BoardRead } from '../../backend/contract/boards';
import type { GatewayRead } from '../../backend/contract/gateways';
import { ApiError, createApiClient } from './api/client';

const TOKEN_KEY = 'mc_local_auth_token';

export type Page = 'overview' | 'gateways' | 'boards' | 'agents';

interface State {
  token: string | null;
  page: Page;
  loading: boolean;
  error: string | null;
  gateways: GatewayRead[];
  boards: BoardRead[];
  agents: AgentRead[];
  /** Totals from the API (lists are one page of up to 200). */
  totals: { gateways: number; boards: number; agents: number };
  signIn(token: string): Promise<void>;
  signOut(): void;
  go(page: Page): void;
  refresh(): Promise<void>;
}

export const api = createApiClient({ baseUrl: '', getToken: () => useStore.getState().token });

export const useStore = create<State>((set, get) => ({
  token: sessionStorage.getItem(TOKEN_KEY),
  page: 'overview',
  loading: false,
  error: null,
  gateways: [],
  boards: [],
  agents: [],
  totals: { gateways: 0, boards: 0, agents: 0 },
  async signIn(token) {
    // Setting the token triggers the app's refresh; the token is kept once the API accepts it.
    set({ token: token.trim(), error: null });
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    set({ token: null, gateways: [], boards: [], agents: [], totals: { gateways: 0, boards: 0, agents: 0 } });
  },
  go(page) {
    set({ page });
  },
  async refresh() {
    set({ loading: true, error: null });
    try {
      const [gateways, boards, agents] = await Promise.all([api('listGateways'), api('listBoards'), api('listAgents')]);
      const token = get().token;
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      set({
        gateways: gateways.items,
        boards: boards.items,
        agents: agents.items,
        totals: { gateways: gateways.total, boards: boards.total, agents: agents.total },
        loading: false,
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        set({ token: null, loading: false, error: 'That token was not accepted. Paste the local token again.' });
        return;
      }
      set({ loading: false, error: err instanceof Error ? err.message : 'Could not reach the backend.' });
    }
  },
}));
