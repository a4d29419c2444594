import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/*
 * Browser sessions of the local user (headless use). Codes and session ids are 192/256-bit random
 * values kept only as SHA-256 digests in memory: a restart signs every browser out, and `serve`
 * prints a fresh login link. Nothing here is ever logged.
 */

export const SESSION_COOKIE = 'mc_session';

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

export function createUserSessions() {
  const codes = new Set<string>();
  const sessions = new Set<string>();
  const open = (): string => {
    const id = randomBytes(32).toString('base64url');
    sessions.add(digest(id));
    return id;
  };
  return {
    /** A one-time code for the login link; it opens one session and is gone. */
    issueLoginCode(): string {
      const code = randomBytes(24).toString('base64url');
      codes.add(digest(code));
      return code;
    },
    /** The session id for a valid unused code, else null. */
    redeemLoginCode(code: string): string | null {
      return codes.delete(digest(code)) ? open() : null;
    },
    open,
    isSession(id: string | undefined): boolean {
      return id !== undefined && id !== '' && sessions.has(digest(id));
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

/** HttpOnly: scripts cannot read it; SameSite=Strict: no other site can make the browser send it. */
export function setSessionCookie(res: Response, id: string): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`);
}

export function clearSessionCookie(res: Response): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
}
