import { describe, expect, it } from 'vitest';
import { runDriftJob } from '../../backend/lifecycle/drift-job.js';
import { fileDrift } from '../../backend/lifecycle/file-drift.js';
import { MAX_WORKSPACE_FILE_BYTES } from '../../backend/lifecycle/gateway-agents.js';
import { DIFF_LIMITS, diffTexts } from '../../backend/lifecycle/unified-diff.js';

/*
 * The drift diff costs O((n+m)·D) with bounds on D, on its work and on its text (#13 item 3), and
 * says "too large to diff" past them. Its work counter is the evidence: no timing.
 */

function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The longest common subsequence by the O(n·m) table the diff used to build (the reference). */
function lcsLength(a: string[], b: string[]): number {
  let below = new Uint32Array(b.length + 1);
  for (let i = a.length - 1; i >= 0; i--) {
    const row = new Uint32Array(b.length + 1);
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    below = row;
  }
  return below[0]!;
}

const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
const labels = { a: 'a', b: 'b' };

describe('the diff is a shortest edit script', () => {
  it('on 2,000 random pairs: it turns a into b, with n + m − 2·LCS edits, within (D+2)(n+m) + (D+1)² work', () => {
    const next = random(7);
    const text = () =>
      Array.from({ length: Math.floor(next() * 30) }, () => 'abcde'[Math.floor(next() * 5)]!)
        .map((c) => `${c}\n`)
        .join('');
    for (let round = 0; round < 2_000; round++) {
      const a = text();
      const b = text();
      // One hunk with every line (context as large as the files), so both sides can be rebuilt.
      const outcome = diffTexts(a, b, labels, DIFF_LIMITS, 1_000);
      if (a === b) {
        expect(outcome.kind).toBe('equal');
        continue;
      }
      if (outcome.kind !== 'diff') throw new Error(`unexpected ${outcome.kind}`);
      const body = outcome.text.split('\n').slice(3, -1);
      const rebuiltA = body.filter((l) => l[0] !== '+').map((l) => l.slice(1));
      const rebuiltB = body.filter((l) => l[0] !== '-').map((l) => l.slice(1));
      expect(rebuiltA).toEqual(lines(a));
      expect(rebuiltB).toEqual(lines(b));
      const [n, m] = [lines(a).length, lines(b).length];
      const edits = body.filter((l) => l[0] !== ' ').length;
      expect(edits).toBe(n + m - 2 * lcsLength(lines(a), lines(b)));
      expect(outcome.work).toBeLessThanOrEqual((edits + 2) * (n + m) + (edits + 1) ** 2);
    }
  });
});

const short = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join('\n') + '\n';

describe('the diff of a hostile file is bounded', () => {
  const template = Array.from({ length: 300 }, (_, i) => `template line ${i}`).join('\n') + '\n';

  it('2 MiB of short lines against a template: too many changes, decided from the sizes (work linear)', () => {
    const hostile = short(300_000, 'x').slice(0, MAX_WORKSPACE_FILE_BYTES);
    const outcome = diffTexts(hostile, template, labels);
    expect(outcome).toMatchObject({ kind: 'too_large', reason: 'too_many_changes', limit: DIFF_LIMITS.maxEdits });
    expect(outcome.work).toBeLessThanOrEqual(2 * (lines(hostile).length + 300));
  });

  it('two equally long files that differ everywhere: stops within maxWork plus one snake', () => {
    const a = short(150_000, 'a');
    const b = short(150_000, 'b');
    const outcome = diffTexts(a, b, labels);
    expect(outcome).toMatchObject({ kind: 'too_large', reason: 'too_many_changes' });
    expect(outcome.work).toBeLessThanOrEqual(DIFF_LIMITS.maxWork + 3 * 300_000);
  });

  it('two random texts over two lines (a snake on every diagonal): stops within maxWork plus one snake', () => {
    const next = random(3);
    const text = () => Array.from({ length: 100_000 }, () => (next() < 0.5 ? 'x' : 'y')).join('\n');
    const outcome = diffTexts(text(), text(), labels, { ...DIFF_LIMITS, maxEdits: 200_000 });
    expect(outcome).toMatchObject({ kind: 'too_large', reason: 'too_many_changes' });
    expect(outcome.work).toBeLessThanOrEqual(DIFF_LIMITS.maxWork + 3 * 200_000);
  });

  it('one 2 MiB line: the diff would be over maxChars, so it is not answered', () => {
    const outcome = diffTexts(`${'a-'.repeat(MAX_WORKSPACE_FILE_BYTES / 2)}\n`, template, labels);
    expect(outcome).toMatchObject({ kind: 'too_large', reason: 'diff_too_long', limit: DIFF_LIMITS.maxChars });
  });

  it('a long but ordinary change is still diffed (1,000 lines appended to MEMORY.md)', () => {
    const outcome = diffTexts(`# Memory\n${short(1_000, 'note ')}`, '# Memory\n', labels);
    expect(outcome.kind).toBe('diff');
    if (outcome.kind === 'diff') expect(outcome.text).toContain('@@ -1,1001 +1 @@');
  });
});

describe('file drift of a hostile MEMORY.md says "too large to diff" with the sizes', () => {
  it('a 2 MiB a-a-a-… file: redacted and diffed in bounded work, answered as too large', () => {
    const hostile = `${'a-'.repeat(512 * 1024)}\n${short(200_000, 'x')}`.slice(0, MAX_WORKSPACE_FILE_BYTES);
    expect(hostile.length).toBe(MAX_WORKSPACE_FILE_BYTES);
    const result = runDriftJob({ name: 'MEMORY.md', content: hostile, expected: '# Memory\n', heldToken: null });
    expect(result.diff).toBeNull();
    expect(result.tooLarge).toMatchObject({ reason: 'too_many_changes', gateway_bytes: hostile.length, template_bytes: 9 });
    expect(result.tooLarge?.message).toMatch(
      /^Too large to diff: more than 2,000 lines differ between the gateway’s MEMORY.md \(2\.0 MiB\)/,
    );
    expect(result.work).toBeLessThanOrEqual(3 * lines(hostile).length);
  });

  it('a copy over the read bound is not processed: drifted, no diff, its size and the limit', () => {
    const drift = fileDrift('MEMORY.md', { state: 'too_large', bytes: 5_000_000 }, '# Memory\n', null);
    expect(drift).toMatchObject({
      status: 'drifted',
      preserved: true,
      diff: null,
      too_large: { reason: 'file_too_large', gateway_bytes: 5_000_000, template_bytes: 9, limit: MAX_WORKSPACE_FILE_BYTES },
    });
    expect(drift.too_large?.message).toBe(
      'Too large to diff: the gateway’s MEMORY.md is 4.8 MiB, over the 2.0 MiB Mission Control reads (what a sync writes is 9 bytes).',
    );
  });

  it('an ordinary file has no too_large', () => {
    expect(fileDrift('SOUL.md', { state: 'present', content: 'mine\n' }, 'soul\n', null)).toMatchObject({
      status: 'drifted',
      too_large: null,
    });
  });
});
