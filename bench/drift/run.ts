/**
 * Event-loop delay while the largest workspace file the gateway serves (2 MiB, written by a hostile
 * agent) is read and diffed by a drift read: the algorithms before #13 item 3 (kept verbatim in
 * old-algorithm.ts) against the current path (linear redaction, bounded Myers diff, in a worker), in
 * one run. "Read" is the JSON parse of the gateway's answer frame, on the event loop in both.
 *
 *   npm run bench:drift          (alone on the machine: it measures the event loop)
 *
 * The old redaction is quadratic on `a-a-a-…`: on the full 2 MiB it would run for most of an hour,
 * so it is measured on 25k, 50k and 100k characters and the 2 MiB figure is extrapolated (×(n/100k)²,
 * labelled as such). The old diff runs on the full 2 MiB.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDriftJob } from '../../backend/lifecycle/drift-job.js';
import { createDriftOffload } from '../../backend/lifecycle/drift-offload.js';
import { MAX_WORKSPACE_FILE_BYTES } from '../../backend/lifecycle/gateway-agents.js';
import { createLogger } from '../../backend/logging.js';
import { REDACTED, renderTemplate } from '../../backend/templates/render.js';
import { templateContext } from '../../test/support/template-context.js';
import { oldRedactTokens, oldUnifiedDiff } from './old-algorithm.js';

// What a sync writes for the file the hostile one is compared with (AGENTS.md: the longest template).
const expected = renderTemplate('AGENTS.md', templateContext(REDACTED));
const TOKEN = 'Zq3xY9-abcdefghijklmnopqrstuvwxyz0123456789A';

const exactly = (text: string, bytes: number) => text.repeat(Math.ceil(bytes / text.length)).slice(0, bytes);
/** A 2 MiB run of `a-a-a-…`: the old keyed-token pattern retries the whole run from every boundary. */
const dashes = (bytes: number) => exactly('a-', bytes);
/** 2 MiB of short lines (~200,000): the old diff's table is lines × template lines. */
const shortLines = (bytes: number) => exactly(Array.from({ length: 1000 }, (_, i) => `- note ${i}`).join('\n') + '\n', bytes);

/** The gateway's answer frame as the connection receives it, parsed on the event loop. */
function readFrame(content: string): string {
  const frame = JSON.stringify({ type: 'res', id: '1', ok: true, payload: { file: { name: 'AGENTS.md', missing: false, content } } });
  return (JSON.parse(frame) as { payload: { file: { content: string } } }).payload.file.content;
}

interface Measured {
  case: string;
  input: string;
  maxDelayMs: number;
  p99DelayMs: number;
  wallMs: number;
  /** Growth of ArrayBuffer + heap memory during the run (the old diff's table lives in typed arrays). */
  memoryMb: number;
  note?: string;
}

async function measure(label: string, input: string, run: () => unknown | Promise<unknown>): Promise<Measured> {
  global.gc?.();
  await sleep(50);
  const before = process.memoryUsage();
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await sleep(20);
  const start = performance.now();
  let peak = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
  }, 5);
  await run();
  const wallMs = performance.now() - start;
  const m = process.memoryUsage();
  peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
  // Let the histogram see the loop come back from a blocking run.
  await sleep(30);
  clearInterval(sampler);
  h.disable();
  const result = {
    case: label,
    input,
    maxDelayMs: h.max / 1e6,
    p99DelayMs: h.percentile(99) / 1e6,
    wallMs,
    memoryMb: peak / (1024 * 1024),
  };
  console.error(
    `${label} [${input}]: max delay ${result.maxDelayMs.toFixed(1)} ms, wall ${wallMs.toFixed(0)} ms, +${result.memoryMb.toFixed(0)} MB`,
  );
  return result;
}

const results: Measured[] = [];
const offload = createDriftOffload({ logger: createLogger({ level: 'silent' }) });
const inlineOnly = createDriftOffload({ logger: createLogger({ level: 'silent' }), inlineMaxChars: Number.POSITIVE_INFINITY });
const MiB2 = MAX_WORKSPACE_FILE_BYTES;

// Before: the old redaction on a-a-a-… at three sizes (the full 2 MiB would take most of an hour).
const oldDashes: Measured[] = [];
for (const size of [25_000, 50_000, 100_000]) {
  const text = dashes(size);
  oldDashes.push(
    await measure('before: read + old redaction', `a-a-a-… ${size / 1000}k chars`, () => oldRedactTokens(readFrame(text), [TOKEN])),
  );
}
results.push(...oldDashes);
const at100k = oldDashes.at(-1)!;
const factor = (MiB2 / 100_000) ** 2;
results.push({
  case: 'before: read + old redaction',
  input: 'a-a-a-… 2 MiB',
  maxDelayMs: at100k.maxDelayMs * factor,
  p99DelayMs: NaN,
  wallMs: at100k.wallMs * factor,
  memoryMb: NaN,
  note: `extrapolated from 100k ×${factor.toFixed(0)} (quadratic)`,
});
// Before: the old redaction + LCS diff on 2 MiB of short lines against AGENTS.md.
const lines2m = shortLines(MiB2);
results.push(
  await measure('before: read + old redaction + old diff', 'short lines 2 MiB', () => {
    const have = oldRedactTokens(readFrame(lines2m), [TOKEN]);
    oldUnifiedDiff(have, oldRedactTokens(expected, [TOKEN]), { a: 'gateway/AGENTS.md', b: 'template/AGENTS.md' });
  }),
);

// After: the same 2 MiB inputs, and both together, through the drift offload (worker) and inline.
const mixed = `${dashes(MiB2 / 2)}\n${shortLines(MiB2)}`.slice(0, MiB2);
for (const [input, text] of [
  ['a-a-a-… 2 MiB', dashes(MiB2)],
  ['short lines 2 MiB', lines2m],
  ['a-a-a-… 1 MiB + short lines, 2 MiB', mixed],
] as const) {
  const job = () => ({ name: 'AGENTS.md', content: readFrame(text), expected, heldToken: TOKEN });
  results.push(await measure('after: read + redact + diff in a worker', input, () => offload.run(job())));
  results.push(await measure('after: read + redact + diff inline (no worker)', input, () => inlineOnly.run(job())));
}
const check = runDriftJob({ name: 'AGENTS.md', content: mixed, expected, heldToken: TOKEN });
console.error(`after, the answer for the mixed file: ${check.tooLarge?.message ?? 'a diff'} (work ${check.work})`);

const row = (r: Measured) =>
  `| ${r.case} | ${r.input} | ${r.maxDelayMs.toFixed(1)} | ${Number.isNaN(r.p99DelayMs) ? '–' : r.p99DelayMs.toFixed(1)} | ${r.wallMs.toFixed(0)} | ${Number.isNaN(r.memoryMb) ? '–' : r.memoryMb.toFixed(0)} | ${r.note ?? ''} |`;
console.log(
  [
    `Node ${process.version}, ${new Date().toISOString()}`,
    '',
    '| case | input | max loop delay ms | p99 loop delay ms | wall ms | memory MB | note |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...results.map(row),
  ].join('\n'),
);
console.log(`\n${JSON.stringify(results)}`);
