import type { TestApi } from './api.js';

/** One row of an agent's lifecycle timeline (`GET /api/v1/agents/{id}/lifecycle`). */
export interface TrailEvent {
  event: string;
  message: string;
  created_at: string;
}

/** An agent's lifecycle timeline, oldest first. */
export const trailOf = async (api: TestApi, id: string): Promise<TrailEvent[]> =>
  ((await api.user('get', `/api/v1/agents/${id}/lifecycle?limit=200`).expect(200)).body.events as TrailEvent[]).reverse();

/** The reconcile events of an agent that never checks in, over a 3-wake ladder (the seed's "not checking in"). */
export const SILENT_LADDER_EVENTS = [
  'lifecycle.reconcile.deferred',
  'lifecycle.reconcile.retriggered',
  'lifecycle.reconcile.deferred',
  'lifecycle.reconcile.retriggered',
  'lifecycle.reconcile.deferred',
  'lifecycle.reconcile.max_attempts_reached',
];
