import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient, type ApiClientOptions } from './api/client';
import { App } from './app';
import { getBridge } from './bridge';
import { StoresContext, type Stores } from './context';
import { parseRoute } from './lib/routes';
import { createAppStore } from './stores/app-store';
import { createBoardStore } from './stores/board-store';

/** Inside Electron the bridge gives the API URL and token; in a browser the session cookie does. */
async function start(): Promise<void> {
  const bridge = getBridge();
  let apiOptions: ApiClientOptions = { baseUrl: '' };
  if (bridge?.bootstrap) {
    try {
      const { apiUrl, token } = await bridge.bootstrap();
      apiOptions = { baseUrl: apiUrl.replace(/\/+$/, ''), getToken: () => token };
    } catch {
      // Fall back to the same-origin cookie session (the sign-in page says what to do).
    }
  }
  const api = createApiClient(apiOptions);
  const stores: Stores = { api, apiOptions, app: createAppStore(api), board: createBoardStore(api), bridge };
  // A board opened directly (a reload, a link) asks for its snapshot now, alongside the session
  // check, instead of after it; the page shares this read when it mounts. Signed out, it is
  // refused like any other request and the sign-in page shows.
  const first = parseRoute(window.location.hash);
  if (first.page === 'board') void stores.board.getState().load(first.id);
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
