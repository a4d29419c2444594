import type { z } from 'zod';
import type { RouteDef } from '../../../../backend/contract/route.js';
import { ROUTES, type RouteName, type Routes } from '../../../../backend/contract/routes.js';
import { requestInit, type EarlyRead } from './early.js';
import { acceptsUnchanged } from './validate.js';

type In<S> = [Exclude<S, undefined>] extends [never] ? undefined : z.input<Exclude<S, undefined>>;

export interface CallInput<R extends RouteDef> {
  params?: In<R['params']>;
  query?: In<R['query']>;
  body?: In<R['body']>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly requestId: string | undefined,
  ) {
    super(typeof detail === 'string' ? detail : describeDetail(detail));
  }
}

function describeDetail(detail: unknown): string {
  if (Array.isArray(detail)) {
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join('.') || 'request'}: ${d.msg ?? 'invalid'}`)
      .join('; ');
  }
  if (detail && typeof detail === 'object' && 'message' in detail) return String((detail as { message: unknown }).message);
  return 'Request failed';
}

/**
 * The renderer's one API client, derived from the backend's route table: paths, methods and
 * response schemas come from the contract, so the UI cannot call a route that does not exist.
 */
export interface ApiClientOptions {
  /** '' in the browser (same origin); the API URL the Electron bridge gives otherwise. */
  baseUrl: string;
  /**
   * Bearer token, when there is one (the Electron bridge). In a browser there is none: the
   * HttpOnly session cookie authenticates, and scripts cannot read it.
   */
  getToken?: () => string | null;
  fetch?: typeof fetch;
  /** Reads the entry script already started (`startEarlyRead`): the first identical GET takes each answer. */
  early?: EarlyRead[];
}

export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const early = [...(options.early ?? [])];
  return async function call<K extends RouteName>(name: K, input: CallInput<Routes[K]> = {}): Promise<z.output<Routes[K]['response']>> {
    const route = ROUTES[name] as RouteDef;
    const params = (input.params ?? {}) as Record<string, string>;
    let path = route.path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(params[key] ?? ''));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
      if (v !== undefined && v !== null) query.set(k, String(v));
    }
    if ([...query].length > 0) path += `?${query}`;
    let res: Response;
    const taken = route.method === 'get' ? early.findIndex((e) => e.path === path) : -1;
    if (taken >= 0) {
      res = await early.splice(taken, 1)[0]!.response;
    } else {
      res = await doFetch(`${options.baseUrl}${path}`, requestInit(options, route.method, input.body));
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (json ?? {}) as { detail?: unknown; request_id?: string };
      throw new ApiError(res.status, err.detail ?? res.statusText, err.request_id);
    }
    // Every answer is checked against the contract. The quick walk accepts only what zod would
    // return unchanged; anything else goes through zod's parse (which throws its own error).
    return (acceptsUnchanged(route.response, json) ? json : route.response.parse(json)) as z.output<Routes[K]['response']>;
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
