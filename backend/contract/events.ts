import { AgentRead } from './agents.js';
import { defineRoute } from './route.js';

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
