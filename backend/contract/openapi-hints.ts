import type { HintLines, RouteDef, RoutingExample } from './route.js';

/*
 * The `x-*` hints and `description` of each operation in the web edition's shapes: the lists are
 * arrays (its templates' discovery `jq` joins `x-when-to-use` and `x-routing-policy` with " | "), every
 * operation has a description (the heartbeat template prints its first line), and agent operations
 * also carry `x-negative-guidance` and `x-routing-policy-examples`. What a route does not say is
 * derived from what it is: its role tags, auth and method.
 */

const lines = (value: HintLines | undefined): string[] | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? [value] : [...value];

const isAgentRoute = (route: RouteDef) => route.tags.some((t) => t.startsWith('agent-'));
const leadOnly = (route: RouteDef) => route.tags.includes('agent-lead') && !route.tags.includes('agent-worker');

function actorOf(route: RouteDef): string {
  if (route.llm?.requiredActor) return route.llm.requiredActor;
  if (leadOnly(route)) return 'board lead';
  if (route.tags.includes('agent-worker')) return 'board agent';
  if (route.tags.includes('agent-main')) return 'gateway main agent';
  return route.auth === 'open' ? 'anyone' : 'the local user';
}

function routingPolicy(route: RouteDef): string[] {
  const policy = [
    leadOnly(route)
      ? 'Lead-only: call it only when your agent is the board lead (is_board_lead in GET /api/v1/agent/healthz).'
      : `Role-tagged: callable by ${route.tags.filter((t) => t.startsWith('agent-')).join(', ')}.`,
  ];
  if (route.path.includes('{board_id}')) policy.push('Board-scoped: use your own board_id; another board answers 403.');
  policy.push('Prefer the most specific route for the intent; identity always comes from X-Agent-Token, never from the body.');
  return policy;
}

function negativeGuidance(route: RouteDef): string[] {
  const guidance = ['Do not send fields to act as another agent or the user: the actor comes from the token (403).'];
  if (route.method === 'get') guidance.push('Do not use this read to change state; it has no side effects.');
  if (!route.body && route.method !== 'get' && route.method !== 'delete') guidance.push('Do not send a body: this route ignores it.');
  return guidance;
}

function examples(route: RouteDef): RoutingExample[] {
  if (route.llm?.routingExamples) return [...route.llm.routingExamples];
  return [{ input: { intent: route.llm?.intent ?? route.summary, required_privilege: actorOf(route) }, decision: route.operationId }];
}

/** The operation's description: the route's own, else its summary and when to use it. */
export function descriptionOf(route: RouteDef): string {
  if (route.description) return route.description;
  const use = lines(route.llm?.whenToUse);
  return use ? `${route.summary}.\n\nUse it: ${use.join(' ')}` : `${route.summary}.`;
}

/** The `x-*` hints of one operation; empty for a route no agent calls and that gives none. */
export function hintsOf(route: RouteDef): Record<string, unknown> {
  const hints = route.llm;
  if (!hints && !isAgentRoute(route)) return {};
  const ext: Record<string, unknown> = {
    'x-llm-intent': hints?.intent ?? route.summary,
    'x-when-to-use': lines(hints?.whenToUse) ?? [route.summary],
    'x-when-not-to-use': lines(hints?.whenNotToUse) ?? ['When a more specific route matches the intent.'],
    'x-required-actor': actorOf(route),
    'x-prerequisites': lines(hints?.prerequisites) ?? [
      route.auth === 'open' ? 'None: no credential is needed' : 'An agent token in the X-Agent-Token header',
      ...(route.path.includes('{board_id}') ? ['The board must be the agent’s own (or on its gateway, for the main agent)'] : []),
    ],
    'x-side-effects': lines(hints?.sideEffects) ?? [route.method === 'get' ? 'None: a read.' : 'Writes what the summary says.'],
    'x-negative-guidance': lines(hints?.negativeGuidance) ?? negativeGuidance(route),
    'x-routing-policy': lines(hints?.routingPolicy) ?? routingPolicy(route),
    'x-routing-policy-examples': examples(route),
  };
  return ext;
}
