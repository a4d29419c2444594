import type { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { RouteDef } from './route.js';
import { requestInit } from './request-init.js';
import { ROUTES, type RouteName, type Routes } from './routes.js';

/*
 * The one API client, generated from the route table: method, path and response schema come from the
 * contract, every answer is parsed with the route's schema, and every error answer becomes one typed
 * `ApiError`. The renderer (renderer/src/api/client.ts: early reads, quick validation), the tray's
 * actions (main/api-actions.ts) and the CLI (backend/cli/) all call through it. Uses only the
 * platform's `fetch`, so it runs in Node, Electron's main process and the browser alike.
 */

type In<S> = [Exclude<S, undefined>] extends [never] ? undefined : z.input<Exclude<S, undefined>>;

export interface CallInput<R extends RouteDef> {
  params?: In<R['params']>;
  query?: In<R['query']>;
  body?: In<R['body']>;
}

/** An error answer of the API: its status, its `code` (the contract's ERROR_CODES), `detail` and request id. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly requestId: string | undefined,
    readonly code: ErrorCode | undefined = undefined,
  ) {
    super(typeof detail === 'string' ? detail : describeDetail(detail));
  }
}

/** `detail` in one line: a string, an object's message, or each field error as `path: message`. */
export function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join('.') || 'request'}: ${d.msg ?? 'invalid'}`)
      .join('; ');
  }
  if (detail && typeof detail === 'object' && 'message' in detail) return String((detail as { message: unknown }).message);
  return 'Request failed';
}

export { requestInit };

export interface RouteClientOptions {
  /** '' in the browser (same origin); the API's URL otherwise. */
  baseUrl: string;
  /** Bearer token, when there is one (desktop, tray, CLI); a browser page has its HttpOnly session cookie instead. */
  getToken?: () => string | null;
  fetch?: typeof fetch;
  /** Gives up on a request after this long (the CLI's doctor: its checks may take minutes). */
  timeoutMs?: number;
  /** An answer already on its way for this GET (the renderer's early reads), taken instead of a new request. */
  takeEarly?: (path: string) => Promise<Response> | undefined;
  /**
   * A quick check that the answer is what zod would return unchanged (the renderer's CSP-safe walk);
   * when it answers false, or is absent, the route's schema parses the answer.
   */
  acceptsUnchanged?: (schema: z.ZodType, value: unknown) => boolean;
  /** False: answers are not read against the schema (a caller that only wants to know whether it worked, like the tray). */
  parseAnswers?: boolean;
}

/** The path (with its query string) of one call of a route. */
export function routePath(route: RouteDef, input: { params?: unknown; query?: unknown }): string {
  const params = (input.params ?? {}) as Record<string, string>;
  let path = route.path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(params[key] ?? ''));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (v !== undefined && v !== null) query.set(k, String(v));
  }
  if ([...query].length > 0) path += `?${query}`;
  return path;
}

export function createRouteClient(options: RouteClientOptions) {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return async function call<K extends RouteName>(name: K, input: CallInput<Routes[K]> = {}): Promise<z.output<Routes[K]['response']>> {
    const route = ROUTES[name] as RouteDef;
    const path = routePath(route, input);
    const early = route.method === 'get' ? options.takeEarly?.(path) : undefined;
    const init = requestInit(options, route.method, input.body);
    if (options.timeoutMs !== undefined) init.signal = AbortSignal.timeout(options.timeoutMs);
    const res = await (early ?? doFetch(`${options.baseUrl}${path}`, init));
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (json ?? {}) as { detail?: unknown; request_id?: string; code?: ErrorCode };
      throw new ApiError(res.status, err.detail ?? res.statusText, err.request_id, err.code);
    }
    if (options.parseAnswers === false || options.acceptsUnchanged?.(route.response, json)) return json as z.output<Routes[K]['response']>;
    return route.response.parse(json) as z.output<Routes[K]['response']>;
  };
}

export type RouteClient = ReturnType<typeof createRouteClient>;
