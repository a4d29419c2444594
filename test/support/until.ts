/**
 * The one polling helper of the test suites: re-reads until the condition holds, or throws naming what
 * was awaited, the time allowed and the last value read. Two forms:
 * - `until(what, read, timeoutMs)`: `read` answers the condition itself;
 * - `until(what, read, ok, timeoutMs)`: `ok` judges what `read` returned, which is returned.
 * `read` may be synchronous (a store's state) or return a promise (an HTTP read).
 */
export async function until(what: string, read: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs?: number): Promise<void>;
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  intervalMs?: number,
): Promise<T>;
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  okOrTimeout: ((value: T) => boolean) | number,
  timeoutOrInterval?: number,
  intervalMs = 250,
): Promise<T> {
  const ok = typeof okOrTimeout === 'function' ? okOrTimeout : (v: T) => v === true;
  const timeoutMs = typeof okOrTimeout === 'number' ? okOrTimeout : (timeoutOrInterval ?? 10_000);
  const interval = typeof okOrTimeout === 'number' ? (timeoutOrInterval ?? intervalMs) : intervalMs;
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)?.slice(0, 800)})`);
    await new Promise((r) => setTimeout(r, interval));
    last = await read();
  }
  return last;
}
