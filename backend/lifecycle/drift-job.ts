import type { DiffTooLarge } from '../contract/templates.js';
import { redactTokens } from '../templates/redact.js';
import { DIFF_LIMITS, diffTexts, type DiffLimits } from './unified-diff.js';

/*
 * The heavy part of one file's drift: redact both sides and diff them. Pure, and imports only the
 * linear redaction and the bounded diff, so the drift worker (drift-worker.ts) loads it without the
 * rest of the backend. Its cost is bounded by the input cap (MAX_WORKSPACE_FILE_BYTES) and DIFF_LIMITS.
 */

export interface DriftJob {
  name: string;
  /** The gateway's copy; null when the gateway has no such file. */
  content: string | null;
  /** What a sync writes (rendered with a placeholder token). */
  expected: string;
  /** The token the workspace holds: taken out of both sides. */
  heldToken: string | null;
  limits?: DiffLimits;
}

export interface DriftJobResult {
  diff: string | null;
  tooLarge: DiffTooLarge | null;
  /** The diff's work units (the evidence that it stayed within its bound). */
  work: number;
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** "1.5 MiB", "20.0 KiB", "512 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The answer for a gateway copy over the read bound (nothing of it was processed). */
export function fileTooLarge(name: string, gatewayBytes: number, expected: string, limit: number): DiffTooLarge {
  const templateBytes = utf8Bytes(expected);
  return {
    reason: 'file_too_large',
    gateway_bytes: gatewayBytes,
    template_bytes: templateBytes,
    limit,
    message:
      `Too large to diff: the gateway’s ${name} is ${formatBytes(gatewayBytes)}, over the ${formatBytes(limit)} Mission Control reads ` +
      `(what a sync writes is ${formatBytes(templateBytes)}).`,
  };
}

export function runDriftJob(job: DriftJob): DriftJobResult {
  const want = redactTokens(job.expected, [job.heldToken]);
  const have = job.content === null ? '' : redactTokens(job.content, [job.heldToken]);
  const labels = { a: job.content === null ? '/dev/null' : `gateway/${job.name}`, b: `template/${job.name}` };
  const limits = job.limits ?? DIFF_LIMITS;
  const outcome = diffTexts(have, want, labels, limits);
  if (outcome.kind === 'equal') return { diff: null, tooLarge: null, work: outcome.work };
  if (outcome.kind === 'diff') return { diff: outcome.text, tooLarge: null, work: outcome.work };
  const sizes = { gateway_bytes: utf8Bytes(have), template_bytes: utf8Bytes(want) };
  const message =
    outcome.reason === 'too_many_changes'
      ? `Too large to diff: more than ${outcome.limit.toLocaleString('en')} lines differ between the gateway’s ${job.name} ` +
        `(${formatBytes(sizes.gateway_bytes)}) and what a sync writes (${formatBytes(sizes.template_bytes)}).`
      : `Too large to diff: the diff of ${job.name} is over ${formatBytes(outcome.limit)} ` +
        `(the gateway’s copy is ${formatBytes(sizes.gateway_bytes)}, what a sync writes ${formatBytes(sizes.template_bytes)}).`;
  return { diff: null, tooLarge: { reason: outcome.reason, ...sizes, limit: outcome.limit, message }, work: outcome.work };
}
