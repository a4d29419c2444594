import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { toExpressPath, type RouteDef } from '../contract/route.js';
import type { Handler } from './handlers.js';
import type { ActorResolver } from './auth.js';
import { parseLenientBody } from './lenient-body.js';
import { RequestValidationError, zodIssues } from './middleware.js';

/**
 * Parse one part of a request with the contract's schema (422 with field paths on failure). A body's
 * unknown keys are dropped as the web edition drops them (lenient-body.ts) and named in the
 * `X-Ignored-Fields` response header, so a typo is still visible to whoever looks.
 */
export function parsePart(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body', res?: Response): unknown {
  if (!schema) return {};
  let result: ReturnType<z.ZodType['safeParse']>;
  if (where === 'body') {
    const lenient = parseLenientBody(schema, value);
    result = lenient.result;
    if (res && lenient.ignored.length > 0) res.setHeader('X-Ignored-Fields', lenient.ignored.join(', ').slice(0, 1000));
  } else {
    result = schema.safeParse(value);
  }
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
    const body = route.body ? parsePart(route.body, req.body, 'body', res) : {};
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
