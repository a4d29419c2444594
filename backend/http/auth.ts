import type { Request } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RouteDef } from '../contract/route.js';
import { ROUTES } from '../contract/routes.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Actor } from '../services/actor.js';
import type { AgentAuth } from '../services/agent-auth.js';
import type { AgentService } from '../services/agents.js';
import type { LogThrottle } from '../log-throttle.js';
import { changesState, crossOriginRefused, isSameOrigin } from './same-origin.js';
import { sessionCookie, type UserSessions } from './user-sessions.js';

/*
 * Who is calling: the actor of every request comes from its credential (the local token, a session
 * cookie, or an agent token looked up by services/agent-auth.ts), never from its body. mount.ts asks
 * this for each route's `auth` before parsing anything.
 */

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
