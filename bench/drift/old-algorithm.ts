/*
 * The drift read's redaction and diff as they were before #13 item 3 (commit 3d3d9f1), kept verbatim
 * as the benchmark's baseline: a backtracking keyed-token pattern (quadratic on `a-a-a-…`) and an
 * O(n·m) LCS table. Not used by the product.
 */

const REDACTED = '[redacted]';
const KEYED_TOKEN = /(\b[A-Za-z0-9_-]*token["']?[ \t]*[:=][ \t]*["'`]?)(?![<$[{])[^\s"'`]+/gi;
const BEARER = /(\bBearer[ \t]+)(?![<$[{])[^\s"'`]+/gi;
const TOKEN_SHAPED = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g;
const mixesClasses = (run: string) => [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(run)).length >= 2;

export function oldRedactTokens(content: string, tokens: readonly (string | null | undefined)[] = []): string {
  let text = content;
  for (const token of tokens) if (token && token.length >= 8) text = text.split(token).join(REDACTED);
  return text
    .replace(KEYED_TOKEN, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(TOKEN_SHAPED, (run) => (mixesClasses(run) ? REDACTED : run));
}

type Op = { kind: ' ' | '-' | '+'; text: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Line operations turning `a` into `b`: an LCS walk (deletions before insertions within a change). */
function lineOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, a: i++, b: j++ });
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: '-', text: a[i]!, a: i++, b: j });
    } else {
      ops.push({ kind: '+', text: b[j]!, a: i, b: j++ });
    }
  }
  return ops;
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);

/**
 * `diff -u`-style text turning `a` (the `---` side: `-` lines) into `b` (the `+++` side: `+` lines),
 * or null when they are equal. The drift preview passes the gateway's copy as `a` and what a sync
 * would write as `b`. Labels name the two sides in the header.
 */
export function oldUnifiedDiff(a: string, b: string, labels: { a: string; b: string }, context = 3): string | null {
  if (a === b) return null;
  const ops = lineOps(splitLines(a), splitLines(b));
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) {
    // Only line endings or a final newline differ.
    return `--- ${labels.a}\n+++ ${labels.b}\n@@ whitespace only: line endings or the final newline differ @@\n`;
  }
  // Group changes whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length - 1, index + context);
    const last = hunks.at(-1);
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  for (const [start, end] of hunks) {
    const slice = ops.slice(start, end + 1);
    const first = slice[0]!;
    const aCount = slice.filter((op) => op.kind !== '+').length;
    const bCount = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(first.a + 1, aCount)} +${range(first.b + 1, bCount)} @@`);
    for (const op of slice) out.push(`${op.kind}${op.text}`);
  }
  return `${out.join('\n')}\n`;
}
