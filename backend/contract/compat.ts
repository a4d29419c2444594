import { z } from 'zod';
import { GatewayStatusQuery } from './gateways.js';
import { defineRoute } from './route.js';

/*
 * Paths the seed documents tell users to type (docs/troubleshooting.md maps each one). Some are the web
 * edition's own routes under another method (`GET /auth/bootstrap`), some are spellings the seed uses and
 * the web edition never had (`/gateway/status`, singular): each answers the web edition's shape, with
 * `version` where the seed reads it, and says which desktop route to use instead.
 */

/** The local user (web edition `UserRead`). */
export const UserRead = z.object({
  id: z.string(),
  clerk_user_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  preferred_name: z.string().nullable(),
  pronouns: z.string().nullable(),
  timezone: z.string().nullable(),
  notes: z.string().nullable(),
  context: z.string().nullable(),
  is_super_admin: z.boolean(),
});

/** One gateway session, as the seed reads it (`jq '.[] | {key, label}'`). */
export const CompatSession = z.object({
  key: z.string(),
  /** The gateway's label for the session, else the name of the Mission Control agent it belongs to. */
  label: z.string().nullable(),
  agent_id: z.string().nullable(),
  agent_name: z.string().nullable(),
  gateway_agent_id: z.string().nullable(),
  kind: z.string().nullable(),
  is_main: z.boolean().nullable(),
  updated_at: z.string().nullable(),
  last_interaction_at: z.string().nullable(),
});
export type CompatSession = z.infer<typeof CompatSession>;

/** The web edition's `GatewaysStatusResponse` plus what the seed reads (`version`) and where to look here. */
export const CompatGatewayStatus = z.object({
  connected: z.boolean(),
  gateway_url: z.string(),
  gateway_id: z.string(),
  version: z.string().nullable(),
  protocol_version: z.number().int().nullable(),
  sessions_count: z.number().int().nullable(),
  sessions: z.array(CompatSession).nullable(),
  main_session: CompatSession.nullable(),
  main_session_error: z.string().nullable(),
  error: z.string().nullable(),
  desktop_equivalent: z.string(),
});
export type CompatGatewayStatus = z.infer<typeof CompatGatewayStatus>;

export const CompatSessions = z.object({ sessions: z.array(CompatSession), main_session: CompatSession.nullable() });

/** The web edition's `OrganizationMemberRead` for the one local user (owner of "Personal"). */
export const OrganizationMemberRead = z.object({
  id: z.string(),
  organization_id: z.string(),
  user_id: z.string(),
  role: z.string(),
  all_boards_read: z.boolean(),
  all_boards_write: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  user: UserRead,
  board_access: z.array(z.object({ board_id: z.string(), can_read: z.boolean(), can_write: z.boolean() })),
});

const GATEWAY_PICK =
  'Which gateway: ?gateway_id, or ?board_id for its board; may be left out when exactly one gateway is added (otherwise 422 listing the ids).';

export const COMPAT_ROUTES = {
  seedGatewayStatus: defineRoute({
    method: 'get',
    path: '/api/v1/gateway/status',
    operationId: 'seed_gateway_status',
    summary: `The seed guide's gateway check (singular path): the web edition's status shape with \`version\`. ${GATEWAY_PICK} Here: GET /api/v1/gateways/{gateway_id}/status`,
    tags: ['compat'],
    auth: 'user',
    query: GatewayStatusQuery,
    response: CompatGatewayStatus,
    errors: { '404': 'no gateway added yet (names POST /api/v1/gateways)', '422': 'several gateways and none named' },
  }),
  seedGatewaySessions: defineRoute({
    method: 'get',
    path: '/api/v1/gateway/sessions',
    operationId: 'seed_gateway_sessions',
    summary: `The seed guide's session list (singular path): a JSON array of sessions (\`jq '.[] | {key, label}'\`). ${GATEWAY_PICK}`,
    tags: ['compat'],
    auth: 'user',
    query: GatewayStatusQuery,
    response: z.array(CompatSession),
    errors: { '404': 'no gateway added yet', '422': 'several gateways and none named', '502': 'the gateway is not connected' },
  }),
  gatewaysSessions: defineRoute({
    method: 'get',
    path: '/api/v1/gateways/sessions',
    operationId: 'gateways_sessions',
    summary: `A gateway's sessions (web-edition path and shape: \`{sessions, main_session}\`). ${GATEWAY_PICK}`,
    tags: ['gateways'],
    auth: 'user',
    query: GatewayStatusQuery,
    response: CompatSessions,
    errors: { '404': 'no gateway added yet', '422': 'several gateways and none named', '502': 'the gateway is not connected' },
  }),
  authBootstrapGet: defineRoute({
    method: 'get',
    path: '/api/v1/auth/bootstrap',
    operationId: 'auth_bootstrap_get',
    summary: "The seed guide's token test (GET; the web edition's route is POST): the local user",
    tags: ['auth'],
    auth: 'user',
    response: UserRead,
  }),
  organizationsMeMember: defineRoute({
    method: 'get',
    path: '/api/v1/organizations/me/member',
    operationId: 'organizations_me_member',
    summary: "The local user's membership (web-edition shape): owner of the one organization, every board readable and writable",
    tags: ['organizations'],
    auth: 'user',
    response: OrganizationMemberRead,
  }),
} as const;
