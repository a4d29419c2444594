import { LOCAL_ORGANIZATION_ID } from '../../contract/common.js';
import type { Services } from '../../compose.js';
import type { HandlerGroup } from '../handlers.js';
import { LOCAL_USER } from './system.js';

/** When the local user's membership began: fixed, as the user is (the app has no signup). */
const MEMBER_SINCE = '1970-01-01T00:00:00.000Z';

/** The seed guide's commands (backend/contract/compat.ts). */
export function compatHandlers(
  s: Services,
): HandlerGroup<'seedGatewayStatus' | 'seedGatewaySessions' | 'gatewaysSessions' | 'authBootstrapGet' | 'organizationsMeMember'> {
  return {
    seedGatewayStatus: ({ query }) => s.gatewayCompat.status(query),
    seedGatewaySessions: ({ query }) => s.gatewayCompat.sessionList(query),
    gatewaysSessions: ({ query }) => s.gatewayCompat.sessions(query),
    authBootstrapGet: () => LOCAL_USER,
    organizationsMeMember: () => ({
      id: '00000000-0000-4000-8000-000000000003',
      organization_id: LOCAL_ORGANIZATION_ID,
      user_id: LOCAL_USER.id,
      role: 'owner',
      all_boards_read: true,
      all_boards_write: true,
      created_at: MEMBER_SINCE,
      updated_at: MEMBER_SINCE,
      user: LOCAL_USER,
      board_access: [],
    }),
  };
}
