import { createRouteClient, type CallInput as RouteCallInput, type RouteClientOptions } from '../../../../backend/contract/client.js';
import type { RouteDef } from '../../../../backend/contract/route.js';
import type { EarlyRead } from './early.js';
import { acceptsUnchanged } from './validate.js';

export { ApiError } from '../../../../backend/contract/client.js';
export type CallInput<R extends RouteDef> = RouteCallInput<R>;

/**
 * The renderer's API client: the one client generated from the route table
 * (backend/contract/client.ts), with the renderer's two options — early reads and the CSP-safe quick
 * validation — switched on.
 */
export interface ApiClientOptions extends Pick<RouteClientOptions, 'baseUrl' | 'getToken' | 'fetch'> {
  /** Reads the entry script already started (`startEarlyRead`): the first identical GET takes each answer. */
  early?: EarlyRead[];
}

export function createApiClient(options: ApiClientOptions) {
  const early = [...(options.early ?? [])];
  return createRouteClient({
    baseUrl: options.baseUrl,
    getToken: options.getToken,
    fetch: options.fetch,
    takeEarly: (path) => {
      const taken = early.findIndex((e) => e.path === path);
      return taken >= 0 ? early.splice(taken, 1)[0]!.response : undefined;
    },
    acceptsUnchanged,
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;
