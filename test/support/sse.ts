/** A live `GET /api/v1/events` reader for tests: every event is kept; wait for the one you expect. */
export interface SseEventRecord {
  event: string;
  data: unknown;
  at: number;
}

export async function openEventStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/events`, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
  if (!/^text\/event-stream/.test(res.headers.get('content-type') ?? ''))
    throw new Error(`event stream: ${res.headers.get('content-type')}`);
  const events: SseEventRecord[] = [];
  const waiters = new Set<() => void>();
  const reading = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as unknown, at: Date.now() });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    /** The first event (already received or still to come) that matches, or null after `timeoutMs`. */
    async waitFor(match: (e: SseEventRecord) => boolean, timeoutMs: number): Promise<SseEventRecord | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    async close(): Promise<void> {
      controller.abort();
      await reading;
    },
  };
}
