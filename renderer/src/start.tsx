import './model/zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './model/api/client';
import type { EarlyRead } from './model/api/early';
import { App } from './app';
import type { MissionControlBridge } from './model/bridge';
import type { Connection } from './model/desktop';
import { StoresContext, type Stores } from './ui/context';
import { createAppStore } from './model/stores/app-store';
import { createBoardStore } from './model/stores/board-store';

/** The app proper, loaded by the entry script (main.tsx) once the first read is on its way. */
export function start(input: {
  connection: Connection;
  /** The bridge, inside the desktop app only (null in a browser or when it did not answer). */
  bridge: MissionControlBridge | null;
  early: EarlyRead[];
  firstBoard: string | null;
}): void {
  const { connection, bridge } = input;
  const { apiOptions, desktop, problem } = connection;
  const api = createApiClient({ ...apiOptions, early: input.early });
  const stores: Stores = {
    api,
    apiOptions,
    app: createAppStore(api, { desktop, problem }),
    board: createBoardStore(api),
    bridge,
  };
  // The board's read starts now (taking the early answer), not when the page mounts after the
  // session check; the page shares it.
  if (input.firstBoard) void stores.board.getState().load(input.firstBoard);
  const root = document.getElementById('root');
  if (root)
    createRoot(root).render(
      <StrictMode>
        <StoresContext.Provider value={stores}>
          <App />
        </StoresContext.Provider>
      </StrictMode>,
    );
}
