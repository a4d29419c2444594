import { AGENT_MESSAGING_ROUTES } from './agent-messaging.js';
import { AGENT_SOUL_ROUTES } from './agent-soul.js';
import { AGENT_ROUTES } from './agents.js';
import { APPROVAL_ROUTES } from './approvals.js';
import { BOARD_GROUP_ROUTES } from './board-groups.js';
import { BOARD_ROUTES } from './boards.js';
import { BOARD_WEBHOOK_ROUTES } from './board-webhooks.js';
import { BOARD_ONBOARDING_ROUTES } from './board-onboarding.js';
import { COMPAT_ROUTES } from './compat.js';
import { DOCTOR_ROUTES } from './diagnostics.js';
import { EVENT_ROUTES } from './events.js';
import { GATEWAY_ROUTES } from './gateways.js';
import { HEALTH_ROUTES } from './health.js';
import { MEMORY_ROUTES } from './memory.js';
import { SCHEDULE_ROUTES } from './schedules.js';
import { SESSION_ROUTES } from './session.js';
import { TASK_ROUTES } from './tasks.js';
import { TEMPLATE_ROUTES } from './templates.js';

/**
 * The route table: every HTTP operation, its auth, inputs and output. The HTTP layer must
 * implement exactly these (a typed handler map), the OpenAPI document is generated from it, and
 * the bad-input test walks it. Each resource's file holds its schemas and its routes, user and
 * agent API alike; who may call a route is its `auth` field, not the file it lives in.
 */
export const ROUTES = {
  ...HEALTH_ROUTES,
  ...SESSION_ROUTES,
  ...GATEWAY_ROUTES,
  ...BOARD_ROUTES,
  ...AGENT_ROUTES,
  ...AGENT_MESSAGING_ROUTES,
  ...AGENT_SOUL_ROUTES,
  ...EVENT_ROUTES,
  ...TASK_ROUTES,
  ...APPROVAL_ROUTES,
  ...MEMORY_ROUTES,
  ...BOARD_GROUP_ROUTES,
  ...BOARD_WEBHOOK_ROUTES,
  ...BOARD_ONBOARDING_ROUTES,
  ...TEMPLATE_ROUTES,
  ...DOCTOR_ROUTES,
  ...COMPAT_ROUTES,
  ...SCHEDULE_ROUTES,
} as const;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
