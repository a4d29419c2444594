import express, { type Router } from 'express';
import type { RouteDef } from '../contract/route.js';
import { ROUTES } from '../contract/routes.js';
import { AppError } from '../errors.js';
import type { LogThrottle } from '../log-throttle.js';
import { localTokenMatcher, refusalSource } from './auth.js';
import { parsePart } from './mount.js';
import { crossOriginRefused, isSameOrigin } from './same-origin.js';
import { clearSessionCookie, sessionCookie, setSessionCookie, type UserSessions } from './user-sessions.js';

const USED_LINK_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in link not valid · Mission Control</title>' +
  '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1.5rem;line-height:1.5}</style></head>' +
  '<body><main><h1>This sign-in link cannot be used</h1><p>A login link works once, for 15 minutes, and only until the server restarts. ' +
  'Use the link printed by the latest <code>mission-control serve</code>, or open <a href="/">Mission Control</a> and paste the local token.</p></main></body></html>';

/**
 * The three session routes of the contract, mounted by hand because they answer with a cookie (and
 * the login link with a redirect) rather than only a JSON body. Inputs are still parsed with the
 * contract's schemas, so bad input is the same 422 as everywhere else.
 */
export function mountSessionRoutes(
  router: Router,
  deps: { sessions: UserSessions; localToken: string; refusals: LogThrottle; maxBodyBytes: number },
): void {
  const isLocalUser = localTokenMatcher(deps.localToken);
  const refused = (req: express.Request, msg: string) =>
    deps.refusals.warn(`${refusalSource(req)}|user|${req.path.slice(0, 64)}`, 'auth.user_failed', msg, { route: req.path.slice(0, 64) });

  router.get(ROUTES.login.path, (req, res) => {
    const { code } = parsePart(ROUTES.login.query, req.query, 'query') as { code: string };
    const session = deps.sessions.redeemLoginCode(code);
    res.setHeader('Cache-Control', 'no-store');
    if (!session) {
      refused(req, 'login link refused (used, expired or unknown code)');
      res.status(401).type('html').send(USED_LINK_PAGE);
      return;
    }
    setSessionCookie(res, session);
    res.redirect(303, '/');
  });

  router.post(ROUTES.createSession.path, express.json({ limit: deps.maxBodyBytes, strict: false }), (req, res) => {
    const { token } = parsePart(ROUTES.createSession.body as RouteDef['body'], req.body, 'body', res) as { token: string };
    if (!isLocalUser(token)) {
      refused(req, 'sign-in with a wrong local token');
      throw new AppError('unauthorized', 'That is not the local token of this Mission Control.');
    }
    setSessionCookie(res, deps.sessions.open());
    res.status(200).json({ ok: true });
  });

  router.delete(ROUTES.deleteSession.path, (req, res) => {
    // Signing out is a state change carried by the cookie too: another origin may not do it.
    if (sessionCookie(req) !== undefined && !isSameOrigin(req)) throw crossOriginRefused(req);
    deps.sessions.close(sessionCookie(req));
    clearSessionCookie(res);
    res.status(200).json({ ok: true });
  });
}
