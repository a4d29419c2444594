import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: what agents put in `X-Agent-Token`. */
export const generateAgentToken = (): string => randomBytes(32).toString('base64url');

/**
 * Stored form of an agent token. SHA-256 is enough for 256-bit random secrets (slow KDFs protect
 * guessable passwords) and, unlike a salted KDF, lets the lookup use a unique index.
 */
export const hashAgentToken = (token: string): string => `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`;

/** The part of a presented token that may be logged or stored for diagnosis (as the web edition did). */
export const tokenPrefix = (token: string): string => token.slice(0, 6);

/** A local user token: 64 random bytes, base64url (86 chars, well over the 50-char minimum). */
export const generateLocalToken = (): string => randomBytes(64).toString('base64url');
