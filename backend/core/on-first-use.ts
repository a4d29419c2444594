import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on its first use instead of when the backend starts: for packages the first
 * answer never needs (docs/performance.md, "Backend cold start"). Same module instance as an import.
 */
export function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireCjs(id) as T);
}
