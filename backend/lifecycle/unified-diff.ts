/*
 * A unified diff (the `diff -u` format) for the template drift preview, with a bounded cost.
 *
 * One side is a file an agent wrote (up to the 2 MiB the gateway serves), so the cost must not be
 * the agent's choice. The LCS table this replaces took O(n·m) memory and time (a 2 MiB file of short
 * lines against AGENTS.md: over 1 GB). This is Myers' O((n+m)·D) greedy algorithm (D: the number of
 * lines inserted or deleted) after trimming the common head and tail, bounded three ways: at most
 * `maxEdits` edits (checked first against the lower bound |n−m|), at most `maxWork` units of work
 * (diagonals visited plus lines compared, counted and returned as `work`), at most `maxChars` of diff
 * text. Past a bound the answer is "too large to diff" with the bound that was crossed, never a
 * partial diff.
 */

export interface DiffLimits {
  /** Most lines inserted plus deleted. */
  maxEdits: number;
  /** Most work units (diagonals visited + line comparisons). */
  maxWork: number;
  /** Longest diff text answered. */
  maxChars: number;
}

/**
 * Generous for a workspace file against its template (the gateway injects at most 20,000 characters
 * of a file into the prompt, a few hundred lines); a Myers trace of 2,000 edits is ~16 MB, and 20 M
 * work units take well under a second.
 */
export const DIFF_LIMITS: DiffLimits = { maxEdits: 2_000, maxWork: 20_000_000, maxChars: 256 * 1024 };

export type DiffTooLargeReason = 'too_many_changes' | 'diff_too_long';

export type DiffOutcome =
  | { kind: 'equal'; work: number }
  | { kind: 'diff'; text: string; work: number }
  | { kind: 'too_large'; reason: DiffTooLargeReason; limit: number; work: number };

const EQUAL = 0;
const DELETE = 1;
const INSERT = 2;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines as small integers (equal lines, equal ids), so comparing two lines costs one step. */
function intern(a: string[], b: string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const map = (lines: string[]) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  return [map(a), map(b)];
}

interface Work {
  units: number;
}

const NONE = 0;
const DOWN = 1;
const RIGHT = 2;

/**
 * The move into diagonal k from the previous round's furthest x on k+1 (`down`: an insertion) and
 * k−1 (`right`: a deletion), -1 where unreached; the one reaching further, never off the grid.
 */
function pick(k: number, down: number, right: number, n: number, m: number): number {
  const downOk = down >= 0 && down - k <= m;
  const rightOk = right >= 0 && right + 1 <= n;
  if (downOk && (!rightOk || down >= right + 1)) return DOWN;
  return rightOk ? RIGHT : NONE;
}

/**
 * Myers' greedy shortest edit script of a[0..n) → b[0..m) as EQUAL/DELETE/INSERT codes, or null past
 * a bound. V[k] is the furthest x reached on diagonal k = x − y; a snapshot per round lets the path
 * be walked back. Diagonals outside the grid and moves off it are never taken.
 */
function shortestEdit(a: Int32Array, b: Int32Array, limits: DiffLimits, work: Work): number[] | null {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > limits.maxEdits) return null;
  const maxD = Math.min(limits.maxEdits, n + m);
  const off = maxD + 1;
  const v = new Int32Array(2 * maxD + 3).fill(-1);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    const previous = (k: number) => (Math.abs(k) <= d - 1 ? v[off + k]! : -1);
    for (let k = -d; k <= d; k += 2) {
      work.units++;
      if (k < -m || k > n) continue;
      let x = 0;
      if (d > 0) {
        const down = previous(k + 1);
        const right = previous(k - 1);
        const move = pick(k, down, right, n, m);
        if (move === NONE) {
          v[off + k] = -1;
          continue;
        }
        x = move === DOWN ? down : right + 1;
      }
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
        work.units++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(off - d, off + d + 1));
        return walkBack(trace, n, m);
      }
      // Checked per diagonal: one round can follow 2d+1 snakes, so the overshoot is at most one snake.
      if (work.units > limits.maxWork) return null;
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  return null;
}

function walkBack(trace: Int32Array[], n: number, m: number): number[] {
  const codes: number[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const round = trace[d - 1]!;
    const get = (k: number) => (Math.abs(k) <= d - 1 ? round[k + d - 1]! : -1);
    const k = x - y;
    const down = pick(k, get(k + 1), get(k - 1), n, m) === DOWN;
    const prevK = down ? k + 1 : k - 1;
    const px = get(prevK);
    const midX = down ? px : px + 1;
    for (; x > midX; x--, y--) codes.push(EQUAL);
    codes.push(down ? INSERT : DELETE);
    x = px;
    y = px - prevK;
  }
  for (; x > 0; x--) codes.push(EQUAL);
  return codes.reverse();
}

/** Every run of changes as its deletions, then its insertions (how `diff -u` shows a change). */
function deletionsFirst(codes: number[]): void {
  for (let i = 0; i < codes.length;) {
    if (codes[i] === EQUAL) {
      i++;
      continue;
    }
    let end = i;
    let deletions = 0;
    for (; end < codes.length && codes[end] !== EQUAL; end++) if (codes[end] === DELETE) deletions++;
    for (let j = i; j < end; j++) codes[j] = j - i < deletions ? DELETE : INSERT;
    i = end;
  }
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);
const MARK = [' ', '-', '+'] as const;

/**
 * The diff from `a` (the `---` side: `-` lines) to `b` (the `+++` side: `+` lines), or why it is too
 * large. The drift preview passes the gateway's copy as `a` and what a sync would write as `b`.
 */
export function diffTexts(
  a: string,
  b: string,
  labels: { a: string; b: string },
  limits: DiffLimits = DIFF_LIMITS,
  context = 3,
): DiffOutcome {
  const work: Work = { units: 0 };
  if (a === b) return { kind: 'equal', work: 0 };
  const aLines = splitLines(a);
  const bLines = splitLines(b);
  const [ai, bi] = intern(aLines, bLines);
  work.units += ai.length + bi.length;
  // The common head and tail cost one comparison a line; Myers runs on what is left.
  let head = 0;
  while (head < ai.length && head < bi.length && ai[head] === bi[head]) head++;
  let tail = 0;
  while (tail < ai.length - head && tail < bi.length - head && ai[ai.length - 1 - tail] === bi[bi.length - 1 - tail]) tail++;
  work.units += head + tail;
  const middle = shortestEdit(ai.subarray(head, ai.length - tail), bi.subarray(head, bi.length - tail), limits, work);
  if (!middle) return { kind: 'too_large', reason: 'too_many_changes', limit: limits.maxEdits, work: work.units };
  const codes = new Array<number>(head).fill(EQUAL).concat(middle, new Array<number>(tail).fill(EQUAL));
  deletionsFirst(codes);
  const changed: number[] = [];
  for (let i = 0; i < codes.length; i++) if (codes[i] !== EQUAL) changed.push(i);
  if (changed.length === 0) {
    // Only line endings or a final newline differ.
    return {
      kind: 'diff',
      text: `--- ${labels.a}\n+++ ${labels.b}\n@@ whitespace only: line endings or the final newline differ @@\n`,
      work: work.units,
    };
  }
  // Line numbers on each side before each code.
  const aAt = new Int32Array(codes.length);
  const bAt = new Int32Array(codes.length);
  for (let i = 0, x = 0, y = 0; i < codes.length; i++) {
    aAt[i] = x;
    bAt[i] = y;
    if (codes[i] !== INSERT) x++;
    if (codes[i] !== DELETE) y++;
  }
  // Group changes whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(codes.length - 1, index + context);
    const last = hunks.at(-1);
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  let chars = out[0]!.length + out[1]!.length + 2;
  const tooLong = (): DiffOutcome => ({ kind: 'too_large', reason: 'diff_too_long', limit: limits.maxChars, work: work.units });
  for (const [start, end] of hunks) {
    let aCount = 0;
    let bCount = 0;
    for (let i = start; i <= end; i++) {
      if (codes[i] !== INSERT) aCount++;
      if (codes[i] !== DELETE) bCount++;
    }
    const header = `@@ -${range(aAt[start]! + 1, aCount)} +${range(bAt[start]! + 1, bCount)} @@`;
    out.push(header);
    chars += header.length + 1;
    for (let i = start; i <= end; i++) {
      const code = codes[i]!;
      const line = `${MARK[code as 0 | 1 | 2]}${code === INSERT ? bLines[bAt[i]!] : aLines[aAt[i]!]}`;
      chars += line.length + 1;
      if (chars > limits.maxChars) return tooLong();
      out.push(line);
    }
  }
  return { kind: 'diff', text: `${out.join('\n')}\n`, work: work.units };
}

/** `diffTexts` as text (null when equal); throws when the diff is too large (tests and small inputs). */
export function unifiedDiff(a: string, b: string, labels: { a: string; b: string }, context = 3): string | null {
  const outcome = diffTexts(a, b, labels, DIFF_LIMITS, context);
  if (outcome.kind === 'too_large') throw new Error(`diff too large: ${outcome.reason}`);
  return outcome.kind === 'equal' ? null : outcome.text;
}
