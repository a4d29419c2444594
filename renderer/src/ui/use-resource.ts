import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { createResource, EMPTY_RESOURCE, type ResourceState } from '../model/resource';

export interface ResourceView<T> extends ResourceState<T> {
  /** Read again now (after an action that changed what this page shows). */
  reload: () => Promise<void>;
}

/**
 * The one way a page reads data that is its own (docs/architecture.md, "The renderer"): a list, a
 * record's details, a log. `loader` runs on mount and whenever `deps` change (the previous answer stays
 * shown meanwhile), and every `pollMs` if given; `enabled: false` holds the read (and keeps the last
 * answer). State shared between pages or kept live by the event stream lives in a store instead.
 */
export function useResource<T>(
  loader: () => Promise<T>,
  deps: DependencyList,
  options: { pollMs?: number; enabled?: boolean } = {},
): ResourceView<T> {
  const { pollMs, enabled = true } = options;
  const [state, setState] = useState<ResourceState<T>>(EMPTY_RESOURCE);
  const current = useRef(state);
  current.current = state;
  const reloadRef = useRef<() => Promise<void>>(() => Promise.resolve());
  useEffect(() => {
    if (!enabled) return;
    const resource = createResource(loader, { pollMs, initial: current.current });
    const unsubscribe = resource.subscribe(setState);
    reloadRef.current = resource.load;
    resource.start();
    return () => {
      unsubscribe();
      resource.dispose();
    };
    // The caller's deps decide when the read starts again, as with useEffect.
  }, [...deps, enabled, pollMs]);
  const reload = useCallback(() => reloadRef.current(), []);
  return { ...state, reload };
}
