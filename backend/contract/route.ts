import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route.
 * - `open`: nobody needs a credential (health, OpenAPI).
 * - `user`: the local user's bearer token.
 * - `agent`: an agent token (`X-Agent-Token` or `Authorization: Bearer`).
 * - `user_or_agent`: user first; `X-Agent-Token` forces agent auth (as in the web edition).
 */
export type RouteAuth = 'open' | 'user' | 'agent' | 'user_or_agent';

/** Role tags agents filter `/openapi.json` by. */
export type AgentRoleTag = 'agent-main' | 'agent-lead' | 'agent-worker';

/** Every agent role; the board roles; the lead only (the role tags a route carries). */
export const ALL: AgentRoleTag[] = ['agent-lead', 'agent-worker', 'agent-main'];
export const BOARD: AgentRoleTag[] = ['agent-lead', 'agent-worker'];
export const LEAD: AgentRoleTag[] = ['agent-lead'];

/** One or several sentences; `/openapi.json` always lists them (the web edition's shape). */
export type HintLines = string | readonly string[];

/** A worked routing decision: for this intent and privilege, pick this operation. */
export interface RoutingExample {
  input: { intent: string; required_privilege: string };
  decision: string;
}

/**
 * Hints the web edition's templates read from `/openapi.json` (`x-llm-intent`, `x-when-to-use`, …).
 * Lists are written as arrays there (its discovery `jq` joins them); what a route leaves out is
 * derived from the route (openapi-hints.ts).
 */
export interface LlmHints {
  intent: string;
  whenToUse: HintLines;
  whenNotToUse?: HintLines;
  requiredActor?: string;
  sideEffects?: HintLines;
  prerequisites?: HintLines;
  negativeGuidance?: HintLines;
  routingPolicy?: HintLines;
  routingExamples?: readonly RoutingExample[];
}

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI-style path with `{name}` parameters. */
  path: string;
  operationId: string;
  summary: string;
  /** Longer text for `/openapi.json`; its first line is what the templates' discovery shows. Default: derived. */
  description?: string;
  tags: readonly string[];
  auth: RouteAuth;
  params?: P;
  query?: Q;
  /** Absent: the route takes no body (and ignores one, like the no-body heartbeat). */
  body?: B;
  response: R;
  /** Success status, 200 unless said. */
  status?: number;
  /** Error statuses this route answers for its own reasons, with what they mean (shown in OpenAPI). */
  errors?: Readonly<Record<string, string>>;
  llm?: LlmHints;
}

export const defineRoute = <
  P extends z.ZodType = never,
  Q extends z.ZodType = never,
  B extends z.ZodType = never,
  R extends z.ZodType = never,
>(
  route: RouteDef<P, Q, B, R>,
): RouteDef<P, Q, B, R> => route;

/** `/api/v1/boards/{board_id}` → `/api/v1/boards/:board_id` */
export const toExpressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
