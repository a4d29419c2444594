import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { ApiClient, ApiClientOptions } from '../model/api/client';
import type { MissionControlBridge } from '../model/bridge';
import { parseRoute, type Route } from '../model/routes';
import type { AppState, AppStore } from '../model/stores/app-store';
import type { BoardState, BoardStore } from '../model/stores/board-store';

export interface Stores {
  api: ApiClient;
  apiOptions: ApiClientOptions;
  app: AppStore;
  board: BoardStore;
  bridge: MissionControlBridge | null;
}

export const StoresContext = createContext<Stores | null>(null);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext is missing');
  return stores;
}

export const useApp = <T,>(selector: (s: AppState) => T): T => useStore(useStores().app, selector);
export const useBoard = <T,>(selector: (s: BoardState) => T): T => useStore(useStores().board, selector);
/** For selectors that build a new array or object: compared item by item, so they do not re-render forever. */
export const useAppShallow = <T,>(selector: (s: AppState) => T): T => useStore(useStores().app, useShallow(selector));
export const useBoardShallow = <T,>(selector: (s: BoardState) => T): T => useStore(useStores().board, useShallow(selector));

const subscribeHash = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  return parseRoute(hash);
}

export const navigate = (hash: string) => {
  window.location.hash = hash;
};

/** The current time, re-read every `ms` (one timer per caller; relative times and countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
