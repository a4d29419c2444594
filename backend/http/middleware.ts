import type { ErrorRequestHandler, RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ErrorCode } from '../contract/errors.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { LogThrottle } from '../log-throttle.js';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/** Fresh request ids: 32 hex characters, a random per-process prefix plus a counter (no UUID, no regex per request). */
const ID_PREFIX = randomBytes(10).toString('hex');
let idCounter = 0;
export const newRequestId = (): string => ID_PREFIX + (++idCounter % 0x1000000000000).toString(16).padStart(12, '0');

const SECURITY_HEADERS: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

/** Distinct accepted Host headers remembered verbatim, so the usual one costs a Set lookup. */
const KNOWN_HOSTS_MAX = 64;

/**
 * Everything that runs before routing, in one middleware (each app-level layer costs a router
 * step on the heartbeat hot path; see docs/performance.md):
 * - `X-Request-Id`: a client-supplied non-blank value is kept (bounded), else a fresh one;
 * - security headers;
 * - the DNS-rebinding guard: a page on evil.example that resolves to 127.0.0.1 still sends
 *   `Host: evil.example`, so only the names this server is really known by are accepted;
 * - the request log, at debug only (the doctor's "enable debug logging"): nothing is attached per
 *   request at the default level.
 */
export function frontMiddleware(allowed: ReadonlySet<string>, refusals: LogThrottle, logger: Logger): RequestHandler {
  const knownHosts = new Set<string>();
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && given.length <= 128 && given.trim() !== '' ? given.trim() : newRequestId();
    req.requestId = id;
    res.setHeader('X-Request-Id', id);
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);

    const hostHeader = req.headers.host;
    if (hostHeader === undefined || !knownHosts.has(hostHeader)) {
      const host = hostnameOf(hostHeader);
      if (host === null || !allowed.has(host)) {
        // Throttled per peer: a page rebinding its name to 127.0.0.1 can send as many as it likes.
        refusals.warn(
          `${req.socket.remoteAddress ?? 'unknown'}|host`,
          'http.host_rejected',
          'request with a foreign Host header rejected',
          {
            host: hostHeader?.slice(0, 200) ?? null,
          },
        );
        next(
          new AppError(
            'host_not_allowed',
            `Host '${hostHeader ?? ''}' is not allowed. Use one of: ${[...allowed].join(', ')} (add names with MC_ALLOWED_HOSTS).`,
          ),
        );
        return;
      }
      if (hostHeader !== undefined && knownHosts.size < KNOWN_HOSTS_MAX) knownHosts.add(hostHeader);
    }

    if (logger.isLevelEnabled('debug')) {
      const started = performance.now();
      res.once('finish', () => {
        logger.debug('http.request', 'request', {
          request_id: req.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          duration_ms: Math.round(performance.now() - started),
        });
      });
    }
    next();
  };
}

/** `Example.com:8000` → `example.com`; `[::1]:8000` → `::1`. */
export function hostnameOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : null;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** zod issues → FastAPI-shaped `[{loc, msg, type}]`, locations prefixed with path/query/body. */
export function zodIssues(error: z.ZodError, where: 'path' | 'query' | 'body') {
  return error.issues.map((issue) => ({
    loc: [where, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    msg: issue.message,
    type: issue.code,
  }));
}

export class RequestValidationError extends Error {
  constructor(readonly issues: ReturnType<typeof zodIssues>) {
    super('request validation failed');
  }
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

/**
 * The single error mapper. Bad input is always a 4xx with a JSON body naming the field; anything
 * unexpected is a 500 with the request id and no internals (the log has the stack).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const request_id = req.requestId ?? '';
    if (res.headersSent) return;
    // The one writer of error bodies: `code` is typed by the contract's ERROR_CODES.
    const send = (status: number, detail: unknown, code: ErrorCode) => res.status(status).json({ detail, request_id, code });
    if (err instanceof RequestValidationError) {
      send(422, err.issues, 'validation_failed');
      return;
    }
    if (err instanceof AppError) {
      send(err.status, err.detail, err.code);
      return;
    }
    const parserError = err as BodyParserError;
    if (parserError?.type === 'entity.parse.failed') {
      send(422, [{ loc: ['body'], msg: `Malformed JSON body: ${parserError.message}`, type: 'json_invalid' }], 'validation_failed');
      return;
    }
    if (parserError?.type === 'entity.too.large') {
      send(413, 'Request body is too large.', 'payload_too_large');
      return;
    }
    if (err instanceof URIError) {
      // A path with broken percent-encoding (`/api/v1/boards/%E0%A4%A`).
      send(400, 'The request path is not valid percent-encoding.', 'bad_request');
      return;
    }
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      // Other refusals raised by Express or the body parser (unsupported charset/encoding, aborted request, …).
      send(parserError.status, parserError.expose ? parserError.message : 'Bad request.', 'bad_request');
      return;
    }
    logger.error('http.request_failed', 'unhandled error', {
      request_id,
      method: req.method,
      path: req.path,
      err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    });
    send(500, 'Internal server error. The log has the details under this request id.', 'internal');
  };
}
