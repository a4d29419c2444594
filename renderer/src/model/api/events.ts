import type { AgentRead } from '../../../../backend/contract/agents.js';
import { parsePushEvent, type PushEventName, type PushPayload } from '../../../../backend/contract/events.js';
import type { GatewayRead } from '../../../../backend/contract/gateways.js';
import { ROUTES } from '../../../../backend/contract/routes.js';
import type { ApiClientOptions } from './client.js';

/** One server-sent event: its name and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Incremental text/event-stream parser: feed it chunks as they arrive, get whole events back.
 * Comment lines (`: ping`) are dropped; a partial event waits for the next chunk.
 */
export function createSseParser() {
  let buffer = '';
  return (chunk: string): SseEvent[] => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
    return out;
  };
}

export type StreamState = 'connecting' | 'live' | 'retrying';

export interface AgentStreamHandlers {
  onAgent(agent: AgentRead): void;
  /** A gateway's connection changed (state, version, last error). */
  onGateway?(gateway: GatewayRead): void;
  onState(state: StreamState): void;
  /** Called after every (re)connect: the feed does not replay, so the caller re-reads what it shows. */
  onConnected?(): void;
}

/** Handlers for {@link subscribeEventStream}: every event, the connection state, each (re)connect. */
export interface EventStreamHandlers {
  onEvent(event: SseEvent): void;
  onState?(state: StreamState): void;
  /** Called after every (re)connect: the feed does not replay, so the caller re-reads what it shows. */
  onConnected?(): void;
}

/**
 * `GET /api/v1/events` (agent changes, template sync progress). fetch rather than EventSource, so
 * the Electron bridge's bearer token can be sent as a header (EventSource cannot send headers).
 * Reconnects with backoff until `close()`.
 */
export function subscribeEventStream(options: ApiClientOptions, handlers: EventStreamHandlers): { close(): void } {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  let closed = false;
  let controller: AbortController | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const run = async (): Promise<void> => {
    controller = new AbortController();
    handlers.onState?.(attempt === 0 ? 'connecting' : 'retrying');
    try {
      const token = options.getToken?.() ?? null;
      const res = await doFetch(`${options.baseUrl}${ROUTES.eventStream.path}`, {
        headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
      attempt = 0;
      handlers.onState?.('live');
      handlers.onConnected?.();
      const parse = createSseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parse(value)) handlers.onEvent(ev);
      }
    } catch {
      // Network errors and aborts end here; the loop below decides whether to come back.
    }
    if (closed) return;
    attempt += 1;
    handlers.onState?.('retrying');
    timer = setTimeout(() => void run(), Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
  };
  void run();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
    },
  };
}

/** A handler per push event name (the contract's `PUSH_EVENTS`); an event without one is ignored. */
export type PushHandlers = { [K in PushEventName]?: (data: PushPayload<K>) => void };

/** Routes one stream event to its handler, parsed with its name's schema from `PUSH_EVENTS` (anything else is ignored). */
export function dispatchPushEvent(ev: SseEvent, handlers: PushHandlers): void {
  if (!handlers[ev.event as PushEventName]) return;
  const parsed = parsePushEvent(ev.event, ev.data);
  if (parsed) (handlers[parsed.name] as ((data: unknown) => void) | undefined)?.(parsed.data);
}

/** Agent and gateway events to their handlers (the live fleet view). */
export function dispatchLiveEvent(ev: SseEvent, handlers: Pick<AgentStreamHandlers, 'onAgent' | 'onGateway'>): void {
  dispatchPushEvent(ev, { agent: handlers.onAgent, gateway: handlers.onGateway });
}

/** Live agent (and gateway) changes from the event stream, each parsed with the contract's schema. */
export function subscribeAgentEvents(options: ApiClientOptions, handlers: AgentStreamHandlers): { close(): void } {
  return subscribeEventStream(options, {
    onEvent: (ev) => dispatchLiveEvent(ev, handlers),
    onState: handlers.onState,
    onConnected: handlers.onConnected,
  });
}
