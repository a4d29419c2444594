import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { PUSH_EVENTS, parsePushEvent, type PushEventName } from '../../backend/contract/events.js';
import { streamPushEvents, type PushSource } from '../../backend/http/event-stream.js';
import { createSseParser, dispatchPushEvent, type SseEvent } from '../../renderer/src/model/api/events.js';

/** A source the test publishes to by hand (the real ones are the agent feed, gateway feed and sync progress). */
function manualSource<K extends PushEventName>() {
  const listeners = new Set<(data: unknown) => void>();
  const source: PushSource<K> = {
    subscribe(listener) {
      listeners.add(listener as (data: unknown) => void);
      return () => listeners.delete(listener as (data: unknown) => void);
    },
  };
  return { source, publish: (data: unknown) => listeners.forEach((l) => l(data)), listeners };
}

const progress = {
  sync_id: 's1',
  gateway_id: '6f1c1b43-8d1e-4b7e-9d39-2b4b6a0c9a11',
  phase: 'agent',
  done: 1,
  total: 2,
  agent_id: null,
  agent_name: null,
  outcome: 'updated',
  errors: 0,
} as const;

describe('PUSH_EVENTS: the event stream is written and read from one table', () => {
  it('the server names each frame by the table; the dispatcher hands the parsed payload to its handler', async () => {
    const sources = { agent: manualSource<'agent'>(), gateway: manualSource<'gateway'>(), template_sync: manualSource<'template_sync'>() };
    const app = express();
    app.get('/events', (_req, res) =>
      streamPushEvents(res, { agent: sources.agent.source, gateway: sources.gateway.source, template_sync: sources.template_sync.source }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const abort = new AbortController();
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, { signal: abort.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parse = createSseParser();
      const events: SseEvent[] = [];
      while (sources.template_sync.listeners.size === 0) await new Promise((r) => setTimeout(r, 5));
      sources.agent.publish({ id: 'not an agent record' });
      sources.gateway.publish({ id: 'not a gateway record' });
      sources.template_sync.publish(progress);
      while (events.length < 3) events.push(...parse((await reader.read()).value ?? ''));
      expect(events.map((e) => e.event)).toEqual(Object.keys(PUSH_EVENTS));

      const got: unknown[] = [];
      for (const ev of events) {
        dispatchPushEvent(ev, { agent: (a) => got.push(a), gateway: (g) => got.push(g), template_sync: (p) => got.push(p) });
      }
      // Payloads that do not match their name's schema never reach a handler.
      expect(got).toEqual([progress]);
    } finally {
      abort.abort();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    // Closing the stream unsubscribes every source.
    await vi.waitFor(() => expect(Object.values(sources).map((s) => s.listeners.size)).toEqual([0, 0, 0]));
  });

  it('an unknown event name, bad JSON or a payload of another event is ignored', () => {
    expect(parsePushEvent('template_sync', JSON.stringify(progress))).toEqual({ name: 'template_sync', data: progress });
    expect(parsePushEvent('toString', JSON.stringify(progress))).toBeNull();
    expect(parsePushEvent('template_sync', '{not json')).toBeNull();
    expect(parsePushEvent('gateway', JSON.stringify(progress))).toBeNull();
    const handled: unknown[] = [];
    dispatchPushEvent({ event: 'template_sync', data: '{not json' }, { template_sync: (p) => handled.push(p) });
    dispatchPushEvent({ event: 'message', data: JSON.stringify(progress) }, { template_sync: (p) => handled.push(p) });
    expect(handled).toEqual([]);
  });
});
