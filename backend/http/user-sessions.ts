import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/*
 * Browser sessions of the local user (headless use). Codes and session ids are 192/256-bit random
 * values kept only as SHA-256 digests in memory: a restart signs every browser out, and `serve`
 * prints a fresh login link. Nothing here is ever logged.
 *
 * Everything expires, on the injected clock: a login code after LOGIN_CODE_TTL_MS (the link is for
 * opening now, not for a note); a session after SESSION_IDLE_MS without a request, and in any case
 * SESSION_MAX_AGE_MS after sign-in (also the cookie's Max-Age, so the browser drops it too).
 */

export const SESSION_COOKIE = 'mc_session';
export const LOGIN_CODE_TTL_MS = 15 * 60_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;
export const SESSION_MAX_AGE_MS = 7 * 24 * 3_600_000;
/** More open sessions than a person has browsers: the oldest goes first (a bounded map, whatever calls `open`). */
const MAX_SESSIONS = 64;
const MAX_CODES = 64;

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

interface SessionTimes {
  openedAt: number;
  lastUsedAt: number;
}

export interface UserSessionsOptions {
  now?: () => Date;
}

export function createUserSessions(options: UserSessionsOptions = {}) {
  const now = () => (options.now ?? (() => new Date()))().getTime();
  /** digest → expiry (ms). */
  const codes = new Map<string, number>();
  const sessions = new Map<string, SessionTimes>();

  const live = (s: SessionTimes, at: number) => at - s.lastUsedAt < SESSION_IDLE_MS && at - s.openedAt < SESSION_MAX_AGE_MS;
  const sweep = (at: number) => {
    for (const [key, expires] of codes) if (expires <= at) codes.delete(key);
    for (const [key, s] of sessions) if (!live(s, at)) sessions.delete(key);
  };
  /** Maps keep insertion order: the first key is the oldest. */
  const trim = <V>(map: Map<string, V>, max: number) => {
    while (map.size > max) map.delete(map.keys().next().value as string);
  };

  const open = (): string => {
    const at = now();
    sweep(at);
    const id = randomBytes(32).toString('base64url');
    sessions.set(digest(id), { openedAt: at, lastUsedAt: at });
    trim(sessions, MAX_SESSIONS);
    return id;
  };
  return {
    /** A one-time code for the login link; it opens one session and is gone, or expires unused. */
    issueLoginCode(): string {
      const at = now();
      sweep(at);
      const code = randomBytes(24).toString('base64url');
      codes.set(digest(code), at + LOGIN_CODE_TTL_MS);
      trim(codes, MAX_CODES);
      return code;
    },
    /** The session id for a valid, unused, unexpired code, else null. */
    redeemLoginCode(code: string): string | null {
      const key = digest(code);
      const expires = codes.get(key);
      codes.delete(key);
      return expires !== undefined && expires > now() ? open() : null;
    },
    open,
    /** True for a live session; using it counts as activity (the idle clock restarts). */
    isSession(id: string | undefined): boolean {
      if (id === undefined || id === '') return false;
      const key = digest(id);
      const s = sessions.get(key);
      if (!s) return false;
      const at = now();
      if (!live(s, at)) {
        sessions.delete(key);
        return false;
      }
      s.lastUsedAt = at;
      return true;
    },
    close(id: string | undefined): void {
      if (id) sessions.delete(digest(id));
    },
  };
}

export type UserSessions = ReturnType<typeof createUserSessions>;

/** The session cookie of a request, if any (no cookie-parser dependency for one cookie). */
export function sessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * HttpOnly: scripts cannot read it. SameSite=Strict keeps other *sites* from making the browser send
 * it — but every port of 127.0.0.1 is the same site, so state changes also need a same-origin request
 * (see same-origin.ts). Max-Age: the browser forgets it when the server would.
 */
export function setSessionCookie(res: Response, id: string): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MAX_AGE_MS / 1000}`);
}

export function clearSessionCookie(res: Response): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
}
