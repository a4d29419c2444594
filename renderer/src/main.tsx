import type { ApiClientOptions } from './api/client';
import { boardSnapshotPath, startEarlyRead, USERS_ME_PATH } from './api/early';
import { getBridge } from './bridge';
import { parseRoute } from './lib/routes';

/*
 * The entry script is small on purpose: it finds out how to reach the API, starts the first page's
 * main read (a board's snapshot), and only then loads the rest of the app (React, the contract's
 * schemas), which takes a while to load and run. The read travels meanwhile.
 */

/** Inside Electron the bridge gives the API URL and token; in a browser the session cookie does. */
async function boot(): Promise<void> {
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
  // The session check, and for a board opened directly (a reload, a link) its snapshot, are asked
  // for now, side by side. Signed out, both are refused like any other request and the sign-in
  // page shows.
  const first = parseRoute(window.location.hash);
  const early = [startEarlyRead(apiOptions, USERS_ME_PATH)];
  if (first.page === 'board') early.push(startEarlyRead(apiOptions, boardSnapshotPath(first.id)));
  const { start } = await import('./start');
  start({ apiOptions, bridge, early, firstBoard: first.page === 'board' ? first.id : null });
}

void boot();
