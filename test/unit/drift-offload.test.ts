import { describe, expect, it } from 'vitest';
import { runDriftJob, type DriftJob } from '../../backend/lifecycle/drift-job.js';
import { createDriftOffload } from '../../backend/lifecycle/drift-offload.js';
import { MAX_WORKSPACE_FILE_BYTES } from '../../backend/lifecycle/gateway-agents.js';
import { createLogger } from '../../backend/logging.js';
import { watchDriftJobs } from '../support/drift-jobs.js';

/*
 * Large drift jobs run in a worker thread (#13 item 3): the evidence is how many times the event
 * loop turned while the job was running (the job's start and end come on the diagnostics channel).
 * Inline, a job is one synchronous call: the loop cannot turn during it.
 */

const hostile = `${'a-'.repeat(512 * 1024)}\n${Array.from({ length: 200_000 }, (_, i) => `x${i}`).join('\n')}`.slice(
  0,
  MAX_WORKSPACE_FILE_BYTES,
);
const job: DriftJob = { name: 'MEMORY.md', content: hostile, expected: '# Memory\n', heldToken: null };

async function observe(inlineMaxChars?: number) {
  const offload = createDriftOffload({
    logger: createLogger({ level: 'silent' }),
    ...(inlineMaxChars !== undefined && { inlineMaxChars }),
  });
  const jobs = watchDriftJobs();
  let turnsWhileRunning = 0;
  const ticker = setInterval(() => {
    if (jobs.running()) turnsWhileRunning++;
  }, 1);
  try {
    const result = await offload.run(job);
    return { result, events: jobs.events, turnsWhileRunning };
  } finally {
    clearInterval(ticker);
    jobs.stop();
  }
}

describe('drift offload', () => {
  it('a 2 MiB job runs in a worker: the event loop keeps turning, and the answer is the inline one', async () => {
    const { result, events, turnsWhileRunning } = await observe();
    expect(events.map((e) => `${e.phase}:${e.where}`)).toEqual(['start:worker', 'end:worker']);
    expect(turnsWhileRunning).toBeGreaterThan(0);
    expect(result).toEqual(runDriftJob(job));
    expect(result.tooLarge?.reason).toBe('too_many_changes');
  });

  it('the same job inline (the offload turned off) gives the loop no turn while it runs', async () => {
    const { events, turnsWhileRunning } = await observe(Number.POSITIVE_INFINITY);
    expect(events.map((e) => `${e.phase}:${e.where}`)).toEqual(['start:inline', 'end:inline']);
    expect(turnsWhileRunning).toBe(0);
  });

  it('small jobs (every well-behaved file) run inline', async () => {
    const offload = createDriftOffload({ logger: createLogger({ level: 'silent' }) });
    const small: DriftJob = { name: 'SOUL.md', content: 'mine\n', expected: 'soul\n', heldToken: null };
    expect(await offload.run(small)).toEqual(runDriftJob(small));
  });
});

describe('drift offload without a worker', () => {
  it('a worker that cannot load its code: the job runs inline, and the log says so once', async () => {
    const warnings: string[] = [];
    const logger = createLogger({ level: 'silent' });
    const child = logger.child('x');
    const spy = { ...child, warn: (event: string) => void warnings.push(event), child: () => spy };
    const offload = createDriftOffload({
      logger: { ...logger, child: () => spy },
      inlineMaxChars: 0,
      workerSource: () => ({ source: new URL('./no-such-drift-worker.js', import.meta.url), eval: false }),
    });
    const jobs = watchDriftJobs();
    try {
      expect(await offload.run(job)).toEqual(runDriftJob(job));
      expect(await offload.run(job)).toEqual(runDriftJob(job));
    } finally {
      jobs.stop();
    }
    expect(jobs.events.map((e) => `${e.phase}:${e.where}`)).toEqual([
      'start:worker',
      'end:worker',
      'start:inline',
      'end:inline',
      'start:inline',
      'end:inline',
    ]);
    expect(warnings).toEqual(['templates.drift.worker_unavailable']);
  });
});
