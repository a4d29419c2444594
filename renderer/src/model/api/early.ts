import { requestInit } from '../../../../backend/contract/request-init.js';
import type { ApiClientOptions } from './client.js';

/*
 * The first read a page needs, started by the app's small entry script before the rest of the app
 * (React, the contract's schemas) has loaded and run. Imports nothing heavy on purpose.
 */

/** A GET already on its way; the API client answers the same request from it, once. */
export interface EarlyRead {
  path: string;
  response: Promise<Response>;
}

/** `GET /api/v1/users/me`, the session check every page starts with (the route table's `usersMe`). */
export const USERS_ME_PATH = '/api/v1/users/me';

/** `GET /api/v1/boards/{board_id}/snapshot` (the route table's `boardSnapshot`; a test holds them equal). */
export const boardSnapshotPath = (boardId: string) => `/api/v1/boards/${encodeURIComponent(boardId)}/snapshot`;

export function startEarlyRead(options: ApiClientOptions, path: string): EarlyRead {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const response = doFetch(`${options.baseUrl}${path}`, requestInit(options, 'get'));
  // Nobody may come for it (the page changed first): its failure is not an unhandled rejection.
  response.catch(() => undefined);
  return { path, response };
}
