import { describe, expect, it } from 'vitest';
import { createResource, type ResourceState, type Timers } from '../../renderer/src/model/resource.js';

/** A read whose answer the test hands over when it wants (out of order if it likes). */
function deferredReads<T>() {
  const pending: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  const loader = () => new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  return { loader, pending };
}

/** Timers the test fires by hand (the house's injected clock, no wall time). */
function manualTimers() {
  const ticks = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    setInterval: (fn) => {
      ticks.set(next, fn);
      return next++;
    },
    clearInterval: (h) => void ticks.delete(h as number),
  };
  return { timers, fire: () => [...ticks.values()].forEach((fn) => fn()), count: () => ticks.size };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('model/resource (the mechanism behind useResource)', () => {
  it('reads on start: loading, then the data; a failure keeps the last data and says why', async () => {
    const { loader, pending } = deferredReads<string[]>();
    const r = createResource(loader);
    const seen: ResourceState<string[]>[] = [];
    r.subscribe((s) => seen.push(s));
    r.start();
    expect(r.get()).toEqual({ loading: true, error: null, data: null });
    pending[0]!.resolve(['a']);
    await flush();
    expect(r.get()).toEqual({ loading: false, error: null, data: ['a'] });
    void r.load();
    expect(r.get()).toEqual({ loading: true, error: null, data: ['a'] });
    pending[1]!.reject(new Error('503 busy'));
    await flush();
    expect(r.get()).toEqual({ loading: false, error: '503 busy', data: ['a'] });
    expect(seen.map((s) => s.loading)).toEqual([true, false, true, false]);
  });

  it('takes only the newest answer: an older read that lands late is dropped', async () => {
    const { loader, pending } = deferredReads<string>();
    const r = createResource(loader);
    r.start();
    void r.load();
    pending[1]!.resolve('new');
    await flush();
    pending[0]!.resolve('old');
    await flush();
    expect(r.get().data).toBe('new');
  });

  it('once disposed, writes nothing and stops polling', async () => {
    const { loader, pending } = deferredReads<number>();
    const clock = manualTimers();
    const r = createResource(loader, { pollMs: 5000, timers: clock.timers });
    const seen: unknown[] = [];
    r.subscribe((s) => seen.push(s));
    r.start();
    clock.fire();
    expect(pending).toHaveLength(2);
    r.dispose();
    expect(clock.count()).toBe(0);
    pending[1]!.resolve(7);
    await flush();
    expect(r.get().data).toBeNull();
    expect(seen).toHaveLength(2);
  });

  it('starts from a given state, so new inputs do not blank the page while the read travels', () => {
    const r = createResource(() => new Promise<string>(() => undefined), { initial: { loading: false, error: null, data: 'before' } });
    r.start();
    expect(r.get()).toEqual({ loading: true, error: null, data: 'before' });
  });
});
