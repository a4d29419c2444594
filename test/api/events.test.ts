import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/** The live event stream the UI and tray consume: an agent's status change arrives within a second. */
const api = useTestApi();
const f = fixtures(api);

/** Read SSE events from a fetch body until `match` or the timeout. */
async function nextEvent(body: ReadableStream<Uint8Array>, match: (e: { event: string; data: unknown }) => boolean, timeoutMs: number) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!chunk || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) {
          const parsed = { event, data: JSON.parse(data) as unknown };
          if (match(parsed)) return parsed;
        }
      }
    }
    return null;
  } finally {
    reader.releaseLock();
  }
}

describe('GET /api/v1/events', () => {
  it('needs the local token', async () => {
    await api.raw().get('/api/v1/events').expect(401);
  });

  it('streams an agent event within a second of its check-in', async () => {
    const board = await f.board();
    const agent = await f.agent(board.id);
    const controller = new AbortController();
    const res = await fetch(`${api.url}/api/v1/events`, {
      headers: { Authorization: `Bearer ${api.backend.localToken}` },
      signal: controller.signal,
    });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const started = Date.now();
      const waiting = nextEvent(
        res.body!,
        (e) =>
          e.event === 'agent' &&
          (e.data as { id: string; status: string }).id === agent.id &&
          (e.data as { status: string }).status === 'online',
        3_000,
      );
      await api.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
      const event = await waiting;
      expect(event).not.toBeNull();
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      controller.abort();
    }
  });
});
