import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { z } from 'zod';
import { toExpressPath, type RouteDef } from '../contract/route.js';
import { ROUTES } from '../contract/routes.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Actor } from '../services/actor.js';
import type { AgentAuth } from '../services/agent-auth.js';
import type { AgentService } from '../services/agents.js';
import type { Handler } from './handlers.js';
import type { LogThrottle } from '../log-throttle.js';
import { RequestValidationError, zodIssues } from './middleware.js';
import { changesState, crossOriginRefused, isSameOrigin } from './same-origin.js';
import { sessionCookie, type UserSessions } from './user-sessions.js';

export interface AuthDeps {
  localToken: string;
  agentAuth: AgentAuth;
  agents: AgentService;
  logger: Logger;
  /** Browser sessions (the login link's cookie), accepted as the local user. */
  sessions?: UserSessions;
  /** Refusals are logged through it: the first per source and route in a window, then a count. */
  refusals: LogThrottle;
}

/** Where a refusal came from, for the throttle's key (the peer address; never a header the client chose). */
export const refusalSource = (req: Request): string => req.socket.remoteAddress ?? 'unknown';

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim();
}

/** `X-Agent-Token`, when sent and not blank (a blank header counts as absent). */
function agentHeader(req: Request): string | undefined {
  const header = req.headers['x-agent-token'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}

const agentTokenFrom = (req: Request): string | undefined => agentHeader(req) ?? bearer(req);

/** Routes whose handler writes presence itself (one write per check-in, not two). */
const SELF_PRESENCE = new Set<RouteDef>([ROUTES.agentHeartbeat, ROUTES.agentNamedHeartbeat, ROUTES.agentStatusHeartbeat]);

/** Constant-time check of a presented value against the local token. */
export function localTokenMatcher(localToken: string): (token: string | undefined) => boolean {
  const expected = digest(localToken);
  const localLength = localToken.length;
  // The length is not secret (86 vs 43 characters for agent tokens); comparing it first keeps a hash off the agent hot path.
  return (token) => token !== undefined && token.length === localLength && timingSafeEqual(digest(token), expected);
}

export function createActorResolver(deps: AuthDeps) {
  const isLocalUser = localTokenMatcher(deps.localToken);
  /**
   * A live session cookie, for a state change only from the app's own origin (same-origin.ts): a
   * cross-origin one is refused with 403 before the session is even looked at.
   */
  const hasSession = (req: Request, route: RouteDef): boolean => {
    const cookie = sessionCookie(req);
    if (cookie === undefined) return false;
    if (changesState(req) && !isSameOrigin(req)) {
      deps.refusals.warn(
        `${refusalSource(req)}|cross-origin|${route.path}`,
        'auth.cross_origin_refused',
        'cross-origin state change with the session cookie refused',
        {
          method: req.method,
          route: route.path,
          origin: typeof req.headers.origin === 'string' ? req.headers.origin.slice(0, 200) : null,
          sec_fetch_site: typeof req.headers['sec-fetch-site'] === 'string' ? req.headers['sec-fetch-site'].slice(0, 40) : null,
        },
      );
      throw crossOriginRefused(req);
    }
    return deps.sessions?.isSession(cookie) ?? false;
  };
  const refuseUser = (req: Request, route: RouteDef) =>
    deps.refusals.warn(`${refusalSource(req)}|user|${route.path}`, 'auth.user_failed', 'user authentication failed', { route: route.path });

  function agentActor(req: Request, route: RouteDef): Actor {
    const token = agentTokenFrom(req);
    // Not recorded as an agent-auth failure: that table keeps token prefixes, and this one is the user's.
    if (isLocalUser(token)) throw new AppError('unauthorized', 'This route takes an agent token; the local user token is not one.');
    const agent = deps.agentAuth.authenticate(token);
    if (!SELF_PRESENCE.has(route)) deps.agents.touchPresence(agent);
    return { kind: 'agent', agent };
  }

  return (req: Request, route: RouteDef): Actor => {
    switch (route.auth) {
      case 'open':
        return { kind: 'anonymous' };
      case 'agent':
        return agentActor(req, route);
      case 'user': {
        if (isLocalUser(bearer(req)) || hasSession(req, route)) return { kind: 'user' };
        refuseUser(req, route);
        throw new AppError('unauthorized', 'Not authenticated: send the local token as "Authorization: Bearer <token>".');
      }
      case 'user_or_agent': {
        // As in the web edition: an X-Agent-Token header means agent auth, whatever else is sent.
        if (agentHeader(req) !== undefined) return agentActor(req, route);
        const token = bearer(req);
        if (isLocalUser(token)) return { kind: 'user' };
        if (token === undefined) {
          if (hasSession(req, route)) return { kind: 'user' };
          refuseUser(req, route);
          throw new AppError(
            'unauthorized',
            'Not authenticated: send the local token as "Authorization: Bearer <token>" or an agent token as X-Agent-Token.',
          );
        }
        return agentActor(req, route);
      }
    }
  };
}

export type ActorResolver = ReturnType<typeof createActorResolver>;

export function parsePart(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return {};
  const result = schema.safeParse(value);
  if (!result.success) throw new RequestValidationError(zodIssues(result.error, where));
  return result.data;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** What `res.status(n).json(v)` sends, without Express's per-response content-type parsing and charset rewriting. */
function sendJson(res: Response, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function';

/**
 * Mount one contract route: authenticate, parse path/query/body with the contract's schemas
 * (422 with field paths on failure), call the handler, optionally check the response against the
 * contract, and send it. Returns the whole route as one handler, which create-app also dispatches
 * directly for paths without parameters (docs/performance.md): a sync handler answers in the same
 * turn, with no promise; a throw or rejection goes to `next` and so to the error handler.
 */
export function mountRoute(
  router: Router,
  route: RouteDef,
  handler: Handler<RouteDef>,
  resolveActor: ActorResolver,
  options: { validateResponses: boolean; maxBodyBytes: number },
): RequestHandler {
  const status = route.status ?? 200;
  const respond = (res: Response, result: unknown) =>
    sendJson(res, status, options.validateResponses ? checkResponse(route, result) : result);
  const wrapped = (req: Request, res: Response): Promise<void> | void => {
    const actor = resolveActor(req, route);
    const params = parsePart(route.params, req.params, 'path');
    const query = parsePart(route.query, req.query, 'query');
    // Routes without a body schema take none; a body sent anyway is ignored (no-body heartbeat).
    const body = route.body ? parsePart(route.body, req.body, 'body') : {};
    const result = handler({ params, query, body, actor, requestId: req.requestId } as never);
    if (isPromise(result)) return result.then((value) => respond(res, value));
    respond(res, result);
  };
  const run: RequestHandler = (req, res, next) => {
    try {
      const done = wrapped(req, res);
      if (done) done.catch(next);
    } catch (err) {
      next(err);
    }
  };
  // Bodies are parsed only where the contract has one: the no-body heartbeat ignores whatever it is sent.
  const parser = route.body ? express.json({ limit: options.maxBodyBytes, strict: false }) : undefined;
  const whole: RequestHandler = parser
    ? (req, res, next) => parser(req, res, (err?: unknown) => (err ? next(err) : run(req, res, next)))
    : run;
  router[route.method](toExpressPath(route.path), whole);
  return whole;
}

function checkResponse(route: RouteDef, value: unknown): unknown {
  const parsed = route.response.safeParse(value);
  if (!parsed.success) {
    throw new Error(`response of ${route.operationId} does not match the contract: ${parsed.error.message}`);
  }
  return value;
}
