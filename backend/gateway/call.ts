import type { z } from 'zod';
import { GatewayError } from './errors.js';
import { GATEWAY_METHODS, type GatewayMethod, type GatewayParams, type GatewayResult } from './methods.js';

/** What `call` needs of a connection: its raw request (a bounded or fault-injecting view works the same). */
export interface GatewayRequester {
  request<T = unknown>(method: string, params?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<T>;
}

/** Where in the answer and what was wrong — field path and zod's message, never the value (answers carry workspace files). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(the answer)';
  return `${path}: ${issue.message}`;
}

/**
 * The gateway's answer to `method`, parsed with its schema from GATEWAY_METHODS. A changed answer
 * is `answer_invalid`, naming the method and the field path.
 */
export function parseAnswer<M extends GatewayMethod>(method: M, payload: unknown): GatewayResult<M> {
  const parsed = GATEWAY_METHODS[method].result.safeParse(payload);
  if (!parsed.success) throw new GatewayError('answer_invalid', `${method} answered an unexpected shape at ${firstIssue(parsed.error)}`);
  return parsed.data as GatewayResult<M>;
}

/**
 * One typed gateway call: params checked against the table (a wrong param is our bug: a plain
 * Error, nothing sent), the answer parsed at the edge, its type inferred from the table.
 */
export async function call<M extends GatewayMethod>(
  conn: GatewayRequester,
  method: M,
  params: GatewayParams<M>,
  opts: { timeoutMs?: number } = {},
): Promise<GatewayResult<M>> {
  const checked = GATEWAY_METHODS[method].params.safeParse(params);
  if (!checked.success) throw new Error(`gateway call ${method}: invalid params at ${firstIssue(checked.error)}`);
  const payload = await conn.request(method, params as Record<string, unknown>, opts);
  return parseAnswer(method, payload);
}
