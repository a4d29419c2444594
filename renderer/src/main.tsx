import { boardSnapshotPath, startEarlyRead, USERS_ME_PATH } from './model/api/early';
import type { MissionControlBridge } from './model/bridge';
import { connect } from './model/desktop';
import { parseRoute } from './model/routes';

/*
 * The entry script is small on purpose: it finds out how to reach the API, starts the first page's
 * main read (a board's snapshot), and only then loads the rest of the app (React, the contract's
 * schemas), which takes a while to load and run. The read travels meanwhile.
 */

/** Inside Electron the bridge gives the API URL and token (no sign-in page); in a browser the session cookie does. */
async function boot(): Promise<void> {
  // The bridge's adapter checks its answers with the contract's schemas (zod): loaded only where there
  // is a bridge, so a browser's entry script stays small.
  const bridge: MissionControlBridge | null = window.missionControl ? (await import('./model/bridge')).getBridge() : null;
  const connection = await connect(bridge);
  const { apiOptions } = connection;
  // The session check, and for a board opened directly (a reload, a link) its snapshot, are asked
  // for now, side by side. Signed out, both are refused like any other request and the sign-in
  // page shows.
  const first = parseRoute(window.location.hash);
  const early = [startEarlyRead(apiOptions, USERS_ME_PATH)];
  if (first.page === 'board') early.push(startEarlyRead(apiOptions, boardSnapshotPath(first.id)));
  const { start } = await import('./start');
  start({ connection, bridge: connection.desktop ? bridge : null, early, firstBoard: first.page === 'board' ? first.id : null });
}

void boot();
