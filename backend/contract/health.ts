import { z } from 'zod';
import { defineRoute } from './route.js';

const Health = z.object({ ok: z.literal(true) });

/** Liveness and readiness (open: no credential). */
export const HEALTH_ROUTES = {
  health: defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness',
    tags: ['health'],
    auth: 'open',
    response: Health,
  }),
  healthz: defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    summary: 'Liveness (agents call this)',
    tags: ['health'],
    auth: 'open',
    response: Health,
  }),
  readyz: defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'Readiness: the database answers',
    tags: ['health'],
    auth: 'open',
    response: Health,
  }),
} as const;
