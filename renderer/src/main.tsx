import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/client';
import { App } from './app';
import { getBridge } from './bridge';
import { StoresContext, type Stores } from './context';
import { connect } from './desktop';
import { createAppStore } from './stores/app-store';
import { createBoardStore } from './stores/board-store';

/** Inside Electron the bridge gives the API URL and token (no sign-in page); in a browser the session cookie does. */
async function start(): Promise<void> {
  const bridge = getBridge();
  const { apiOptions, desktop, problem } = await connect(bridge);
  const api = createApiClient(apiOptions);
  const stores: Stores = {
    api,
    apiOptions,
    app: createAppStore(api, { desktop, problem }),
    board: createBoardStore(api),
    bridge: desktop ? bridge : null,
  };
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

void start();
