import type { FileDrift } from '../contract/templates.js';
import { redactTokens } from '../templates/redact.js';
import { PRESERVED_FILES, type WorkspaceFile } from '../templates/render.js';
import { fileTooLarge, runDriftJob, type DriftJob, type DriftJobResult } from './drift-job.js';
import { MAX_WORKSPACE_FILE_BYTES, type WorkspaceRead } from './gateway-agents.js';

/*
 * One file's drift: tokens redacted on both sides (the held one, keyed values, anything token-shaped),
 * the diff from the gateway's copy to what a sync writes. A copy over the read bound is not processed
 * at all; a diff over its bounds is "too large to diff" with the sizes (drift-job.ts). `run` does the
 * redact + diff: inline (`fileDrift`) or through the drift offload (`fileDriftWith`).
 */

type RunJob = (job: DriftJob) => Promise<DriftJobResult>;

function shape(name: WorkspaceFile, read: Exclude<WorkspaceRead, { state: 'unsupported' }>, result: DriftJobResult): FileDrift {
  const preserved = PRESERVED_FILES.includes(name);
  const keepNote = preserved ? 'The agent’s own file: a sync replaces it only with overwrite=true.' : null;
  if (read.state === 'missing') return { name, status: 'missing', preserved, diff: result.diff, note: null, too_large: result.tooLarge };
  const differs = result.diff !== null || result.tooLarge !== null;
  return {
    name,
    status: differs ? 'drifted' : 'in_sync',
    preserved,
    diff: result.diff,
    note: differs ? keepNote : null,
    too_large: result.tooLarge,
  };
}

/** The drift of a file that needs no redact + diff (refused, over the read bound), or the job that computes it. */
function settleOrJob(name: WorkspaceFile, read: WorkspaceRead, expected: string, heldToken: string | null): FileDrift | DriftJob {
  const preserved = PRESERVED_FILES.includes(name);
  if (read.state === 'unsupported')
    return { name, status: 'unsupported', preserved, diff: null, note: redactTokens(read.detail), too_large: null };
  if (read.state === 'too_large') {
    // Templates render to at most 20,000 characters, so a copy over 2 MiB differs; it is not read further.
    const tooLarge = fileTooLarge(name, read.bytes, redactTokens(expected, [heldToken]), MAX_WORKSPACE_FILE_BYTES);
    return shape(name, read, { diff: null, tooLarge, work: 0 });
  }
  return { name, content: read.state === 'present' ? read.content : null, expected, heldToken };
}

const isSettled = (value: FileDrift | DriftJob): value is FileDrift => 'status' in value;

/** The same file drift with the redact + diff run by `run` (the drift offload: off the event loop when large). */
export async function fileDriftWith(
  run: RunJob,
  name: WorkspaceFile,
  read: WorkspaceRead,
  expected: string,
  heldToken: string | null,
): Promise<FileDrift> {
  const next = settleOrJob(name, read, expected, heldToken);
  return isSettled(next) ? next : shape(name, read as Exclude<WorkspaceRead, { state: 'unsupported' }>, await run(next));
}

/** One file's drift, computed on the calling thread (small inputs, tests). */
export function fileDrift(name: WorkspaceFile, read: WorkspaceRead, expected: string, heldToken: string | null): FileDrift {
  const next = settleOrJob(name, read, expected, heldToken);
  return isSettled(next) ? next : shape(name, read as Exclude<WorkspaceRead, { state: 'unsupported' }>, runDriftJob(next));
}
