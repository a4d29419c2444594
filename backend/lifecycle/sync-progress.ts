import type { TemplateSyncProgress } from '../contract/templates.js';

/*
 * Progress of running template syncs, for the live event stream (`event: template_sync`). In-process
 * only: a sync is one request, so its progress matters while it runs; the result and the activity
 * entry are the record.
 */

type Listener = (progress: TemplateSyncProgress) => void;

export function createSyncProgressFeed() {
  const listeners = new Set<Listener>();
  return {
    publish(progress: TemplateSyncProgress): void {
      for (const listener of listeners) {
        try {
          listener(progress);
        } catch {
          // A broken subscriber (a closed stream) must not stop the sync.
        }
      }
    },
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SyncProgressFeed = ReturnType<typeof createSyncProgressFeed>;
