/**
 * A page's own read, without React: the one mechanism behind `useResource` (ui/use-resource.ts).
 * It keeps the last answer while a re-read travels (a list never blinks empty), takes only the newest
 * answer (a slow, older read that lands late is dropped), optionally re-reads every `pollMs`, and
 * drops everything once disposed (a page that has gone away is never written to).
 */
export interface ResourceState<T> {
  /** True while a read is in flight (the first one, a poll or a reload). */
  loading: boolean;
  /** The last read's failure as a sentence; cleared by the next success. */
  error: string | null;
  /** The last answer (kept through later reads and failures); null until the first one. */
  data: T | null;
}

export interface Timers {
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
}

export interface ResourceOptions<T> {
  /** Re-read this often while started (ms); no polling when absent. */
  pollMs?: number;
  /** Start from this state (a previous resource's answer, when the inputs of a read change). */
  initial?: ResourceState<T>;
  timers?: Timers;
}

export interface Resource<T> {
  get(): ResourceState<T>;
  subscribe(listener: (state: ResourceState<T>) => void): () => void;
  /** Read now (again); resolves when this read has settled, whatever it found. */
  load(): Promise<void>;
  /** The first read, and the polling if any. */
  start(): void;
  dispose(): void;
}

export const EMPTY_RESOURCE: ResourceState<never> = { loading: false, error: null, data: null };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const globalTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export function createResource<T>(loader: () => Promise<T>, options: ResourceOptions<T> = {}): Resource<T> {
  const timers = options.timers ?? globalTimers;
  let state: ResourceState<T> = options.initial ?? EMPTY_RESOURCE;
  const listeners = new Set<(s: ResourceState<T>) => void>();
  let latest = 0;
  let disposed = false;
  let poll: unknown = null;

  const set = (next: ResourceState<T>) => {
    if (disposed) return;
    state = next;
    for (const l of listeners) l(state);
  };

  const load = async () => {
    if (disposed) return;
    const seq = ++latest;
    set({ ...state, loading: true });
    try {
      const data = await loader();
      if (seq === latest) set({ loading: false, error: null, data });
    } catch (err) {
      if (seq === latest) set({ ...state, loading: false, error: message(err) });
    }
  };

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load,
    start() {
      void load();
      if (options.pollMs && poll === null) poll = timers.setInterval(() => void load(), options.pollMs);
    },
    dispose() {
      disposed = true;
      listeners.clear();
      if (poll !== null) timers.clearInterval(poll);
      poll = null;
    },
  };
}
