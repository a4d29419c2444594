import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging.js';
import { runDriftJob, type DriftJob, type DriftJobResult } from './drift-job.js';

/*
 * Runs drift jobs (redact + diff of one file) off the event loop when they are large, so /healthz,
 * check-ins and the UI keep being answered while a drift read handles a hostile 2 MiB MEMORY.md.
 * The algorithms are linear/bounded anyway (drift-job.ts); the worker takes the remaining
 * milliseconds-to-a-second of a large file off the loop. Small jobs (every well-behaved file: the
 * gateway injects at most 20,000 characters of one) run inline: a worker costs more than they do.
 *
 * One worker per large job, one large job at a time (two cores; a drift read reads files one by one
 * anyway), with a memory ceiling. A worker that cannot start (a packaging without the worker file)
 * falls back to running inline, said once in the log; a worker that dies on a job fails that job.
 */

/** Jobs whose two sides together are at most this many characters run inline. */
export const INLINE_MAX_CHARS = 64 * 1024;

/**
 * Published on the `mission-control:drift-job` diagnostics channel around every job (tests count
 * what the event loop answered while a job was running; an inline job gives it no chance).
 */
export interface DriftJobEvent {
  phase: 'start' | 'end';
  name: string;
  where: 'inline' | 'worker';
  chars: number;
}
export const DRIFT_JOB_CHANNEL = 'mission-control:drift-job';
const jobs = channel(DRIFT_JOB_CHANNEL);

type WorkerSource = { source: URL | string; eval: boolean };

export interface DriftOffloadDeps {
  logger: Logger;
  inlineMaxChars?: number;
  /** Where the worker's code is (tests point it at a file that does not exist). */
  workerSource?: () => WorkerSource;
}

/**
 * The worker: the compiled drift-worker.js next to this file, or (dev and tests, running the .ts
 * sources) a bootstrap that registers tsx's loader in the worker and imports drift-worker.ts.
 */
function workerSource(): WorkerSource {
  if (import.meta.url.endsWith('.js')) return { source: new URL('./drift-worker.js', import.meta.url), eval: false };
  // tsx's ESM API (require.resolve answers its CommonJS twin, which cannot register from an ESM import).
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./drift-worker.ts', import.meta.url).href;
  return { source: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
}

class WorkerStartError extends Error {}
/** Errors that mean the worker's code could not be loaded (not that a job failed in it). */
const CANNOT_LOAD = new Set([
  'MODULE_NOT_FOUND',
  'ERR_MODULE_NOT_FOUND',
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_WORKER_PATH',
  'ERR_WORKER_INIT_FAILED',
]);

function inWorker(job: DriftJob, entry: WorkerSource): Promise<DriftJobResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(entry.source, {
        eval: entry.eval,
        workerData: job,
        // Inputs are at most 2 MiB and the diff trace ~16 MB; a ceiling keeps a bug from exhausting memory.
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      });
    } catch (err) {
      reject(new WorkerStartError(err instanceof Error ? err.message : String(err)));
      return;
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.once('message', (result: DriftJobResult) => {
      settle(() => resolve(result));
      void worker.terminate();
    });
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() => reject(err.code && CANNOT_LOAD.has(err.code) ? new WorkerStartError(err.message) : err)),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`the drift worker exited (code ${code}) without an answer`))));
  });
}

export function createDriftOffload(deps: DriftOffloadDeps) {
  const log = deps.logger.child('drift-offload');
  const inlineMax = deps.inlineMaxChars ?? INLINE_MAX_CHARS;
  let workersWork = true;
  let queue: Promise<unknown> = Promise.resolve();

  function inline(job: DriftJob, chars: number): DriftJobResult {
    jobs.publish({ phase: 'start', name: job.name, where: 'inline', chars } satisfies DriftJobEvent);
    try {
      return runDriftJob(job);
    } finally {
      jobs.publish({ phase: 'end', name: job.name, where: 'inline', chars } satisfies DriftJobEvent);
    }
  }

  async function offloaded(job: DriftJob, chars: number): Promise<DriftJobResult> {
    if (!workersWork) return inline(job, chars);
    jobs.publish({ phase: 'start', name: job.name, where: 'worker', chars } satisfies DriftJobEvent);
    try {
      return await inWorker(job, (deps.workerSource ?? workerSource)());
    } catch (err) {
      if (!(err instanceof WorkerStartError)) throw err;
      workersWork = false;
      log.warn('templates.drift.worker_unavailable', 'drift worker could not start; large files are diffed on the main thread', {
        error: err.message,
      });
    } finally {
      jobs.publish({ phase: 'end', name: job.name, where: 'worker', chars } satisfies DriftJobEvent);
    }
    return inline(job, chars);
  }

  return {
    /** Redact and diff one file: inline when small, else in a worker (one at a time). */
    run(job: DriftJob): Promise<DriftJobResult> {
      const chars = (job.content?.length ?? 0) + job.expected.length;
      if (chars <= inlineMax) return Promise.resolve(inline(job, chars));
      const next = queue.then(() => offloaded(job, chars));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

export type DriftOffload = ReturnType<typeof createDriftOffload>;
