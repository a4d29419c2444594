import type { Response } from 'express';
import { PUSH_EVENTS, formatPushEvent, type PushEventName, type PushPayload } from '../contract/events.js';

const PING_MS = 15_000;

/** Where the events of one name come from (the agent feed, the gateway feed, sync progress). */
export interface PushSource<K extends PushEventName> {
  subscribe(listener: (data: PushPayload<K>) => void): () => void;
}
/** One source per event of the contract's `PUSH_EVENTS` table (a missing one sends none of its events). */
export type PushSources = { agent: PushSource<'agent'> } & { [K in PushEventName]?: PushSource<K> };

/**
 * Server-sent events: one frame per event of each source, named by the `PUSH_EVENTS` table, and a
 * comment ping so proxies keep the stream open.
 */
export function streamPushEvents(res: Response, sources: PushSources): void {
  openEventStream(res, () => {
    const unsubscribers = (Object.keys(PUSH_EVENTS) as PushEventName[]).map((name) =>
      (sources[name] as PushSource<typeof name> | undefined)?.subscribe((data) => res.write(formatPushEvent(name, data))),
    );
    return () => {
      for (const unsubscribe of unsubscribers) unsubscribe?.();
    };
  });
}

/**
 * Answer with a server-sent event stream: headers, a `: connected` comment, a ping comment every 15 s
 * so proxies keep it open; `start` subscribes (and may write at once) and returns what ends it on close.
 */
export function openEventStream(res: Response, start: () => () => void): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(': connected\n\n');
  const stop = start();
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  res.on('close', () => {
    clearInterval(ping);
    stop();
  });
}
