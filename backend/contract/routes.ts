import { AGENT_ROUTES } from './agent-routes.js';
import { COMPAT_ROUTES } from './compat.js';
import { TEMPLATE_ROUTES } from './templates.js';
import { DOCTOR_ROUTES } from './diagnostics.js';
import { USER_ROUTES } from './user-routes.js';
import { SCHEDULE_ROUTES } from './schedules.js';

/**
 * The route table: every HTTP operation, its auth, inputs and output. The HTTP layer must
 * implement exactly these (a typed handler map), the OpenAPI document is generated from it, and
 * the bad-input test walks it.
 */
export const ROUTES = { ...USER_ROUTES, ...TEMPLATE_ROUTES, ...AGENT_ROUTES, ...DOCTOR_ROUTES, ...COMPAT_ROUTES, ...SCHEDULE_ROUTES } as const;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
