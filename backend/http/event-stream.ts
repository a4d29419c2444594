import type { Response } from 'express';
import type { SyncProgressFeed } from '../lifecycle/sync-progress.js';
import type { AgentFeed } from '../services/agent-feed.js';
import type { GatewayFeed } from '../services/gateway-feed.js';

const PING_MS = 15_000;

/**
 * Server-sent events: one `agent` event per visible change, one `gateway` event per connection change
 * (state, version, last error), `template_sync` progress while a sync runs, and a comment ping so
 * proxies keep it open.
 */
export function streamAgentEvents(res: Response, feed: AgentFeed, syncProgress?: SyncProgressFeed, gatewayFeed?: GatewayFeed): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(': connected\n\n');
  const unsubscribe = feed.subscribe((agent) => {
    res.write(`event: agent\ndata: ${JSON.stringify(agent)}\n\n`);
  });
  const unsubscribeSync = syncProgress?.subscribe((progress) => {
    res.write(`event: template_sync\ndata: ${JSON.stringify(progress)}\n\n`);
  });
  const unsubscribeGateways = gatewayFeed?.subscribe((gateway) => {
    res.write(`event: gateway\ndata: ${JSON.stringify(gateway)}\n\n`);
  });
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  res.on('close', () => {
    clearInterval(ping);
    unsubscribe();
    unsubscribeSync?.();
    unsubscribeGateways?.();
  });
}
