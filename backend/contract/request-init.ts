/*
 * Method, headers and credentials of an API request: shared by the route client and the renderer's
 * early reads, which run before the contract's schemas load (so this file imports nothing).
 */

/** Method, headers and credentials of every API request. */
export function requestInit(options: { getToken?: () => string | null }, method: string, body?: unknown): RequestInit {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.getToken?.() ?? null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return {
    method: method.toUpperCase(),
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}
