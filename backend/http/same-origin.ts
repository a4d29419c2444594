import type { Request } from 'express';
import { AppError } from '../errors.js';

/*
 * The session cookie is ambient: the browser attaches it to every request to this host, whichever
 * page sends it. Cookies are not isolated by port, and SameSite=Strict does not help either — every
 * port of 127.0.0.1 is the same *site* — so a page served by any other local program could make the
 * signed-in browser POST here (a form needs no CORS). A state change carried by the cookie is therefore
 * accepted only from the app's own origin: `Origin` naming the host this request was sent to (already
 * checked against the allowlist by the DNS-rebinding guard), or `Sec-Fetch-Site: same-origin`.
 * `same-site` is not enough: another port is same-site. Bearer and agent tokens are not ambient (a page
 * cannot attach them), so requests carrying them are not affected.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const changesState = (req: Request): boolean => !SAFE_METHODS.has(req.method);

/** True when a browser says this request comes from a page of this very origin. */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '' && origin !== 'null') {
    try {
      const url = new URL(origin);
      const host = (req.headers.host ?? '').toLowerCase();
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host === host) return true;
    } catch {
      // not a URL: fall through to Sec-Fetch-Site
    }
  }
  return req.headers['sec-fetch-site'] === 'same-origin';
}

/** What a cross-origin state change with the session cookie is answered (403, `cross_origin_refused`). */
export function crossOriginRefused(req: Request): AppError {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : 'none';
  const site = typeof req.headers['sec-fetch-site'] === 'string' ? req.headers['sec-fetch-site'] : 'none';
  return new AppError(
    'cross_origin_refused',
    `Refused: a change made with the browser session must come from Mission Control's own page (Origin: ${origin}, Sec-Fetch-Site: ${site}). ` +
      'Pages on other ports of this machine are other origins. Scripts: send the local token as "Authorization: Bearer <token>".',
  );
}
