import type { z } from 'zod';
import { AgentRead } from './agents.js';
import { GatewayRead } from './gateways.js';
import { defineRoute } from './route.js';
import { TemplateSyncProgress } from './templates.js';

/**
 * Every event of the live feed (`GET /api/v1/events`): its name → its payload's schema. The server's
 * writer (backend/http/event-stream.ts) takes one source per name, typed by this table; the
 * renderer's dispatcher parses each event with the schema of its name and ignores any other.
 */
export const PUSH_EVENTS = {
  /** An agent's visible state changed (status, wake ladder, reason, name, board). */
  agent: AgentRead,
  /** A gateway's connection changed (connected, waiting, failed; version, last error). */
  gateway: GatewayRead,
  /** Progress of a running template sync. */
  template_sync: TemplateSyncProgress,
} as const;

export type PushEventName = keyof typeof PUSH_EVENTS;
/** The payload of one push event, as the server writes it and the client reads it. */
export type PushPayload<K extends PushEventName> = z.output<(typeof PUSH_EVENTS)[K]>;
export type PushEvent = { [K in PushEventName]: { name: K; data: PushPayload<K> } }[PushEventName];

export const isPushEventName = (name: string): name is PushEventName => Object.hasOwn(PUSH_EVENTS, name);

/** The text/event-stream frame of one event. */
export const formatPushEvent = <K extends PushEventName>(name: K, data: z.input<(typeof PUSH_EVENTS)[K]>): string =>
  `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** One received event parsed with its name's schema; `null` for an unknown name, bad JSON or a payload that does not match. */
export function parsePushEvent(name: string, data: string): PushEvent | null {
  if (!isPushEventName(name)) return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = PUSH_EVENTS[name].safeParse(json);
  return parsed.success ? ({ name, data: parsed.data } as PushEvent) : null;
}

/** The live feed (server-sent events). */
export const EVENT_ROUTES = {
  eventStream: defineRoute({
    method: 'get',
    path: '/api/v1/events',
    operationId: 'event_stream',
    summary:
      'Server-sent events (text/event-stream): `agent` with the agent record whenever its visible state changes (status, wake ladder, reason); `gateway` with the gateway record (GatewayRead) whenever its connection changes (connected, waiting, failed; version, last error); `template_sync` progress; a comment line every 15 s',
    tags: ['events'],
    auth: 'user',
    response: AgentRead,
  }),
} as const;
