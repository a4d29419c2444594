import { describe, expect, it } from 'vitest';
import { REDACTED, redactTokens, redactTokensCounted } from '../../backend/templates/redact.js';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { oldRedactTokens as oldRedact } from '../../bench/drift/old-algorithm.js';

/*
 * Redaction is linear whatever an agent writes (#13 item 3). The scanners count their character
 * visits; the adversarial inputs below must cost at most a small constant per character (a
 * backtracking pattern cost ~n²/2 on `a-a-a-…`). And they redact exactly what the regular
 * expressions they replace redacted: those are the reference (kept verbatim in bench/drift/old-algorithm.ts).
 */

/** A small seeded generator, so a failure is reproducible. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  'token',
  'TOKEN',
  'Token',
  'x-agent-',
  'auth_',
  'Bearer',
  'bearer',
  'xBearer',
  ' ',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '=',
  ':',
  '"',
  "'",
  '`',
  '<',
  '$',
  '[',
  '{',
  '-',
  '_',
  'a',
  'Z',
  '9',
  'tok',
  'en',
  '\u00a0',
  '\u2028',
  'é',
  'aB3aB3aB3aB3aB3aB3aB3aB3',
  'abcdefghij',
  '0123456789',
  '[redacted]',
  's',
];

describe('redaction is the same as the patterns it replaces', () => {
  it('on 5,000 random texts built from the characters that matter', () => {
    const next = random(13);
    for (let round = 0; round < 5_000; round++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(next() * 40);
      for (let i = 0; i < count; i++) parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
      const text = parts.join('');
      const tokens = next() < 0.2 ? ['abcdefghij'] : [];
      expect(redactTokens(text, tokens), JSON.stringify(text)).toBe(oldRedact(text, tokens));
    }
  });
});

describe('redaction is linear on adversarial input', () => {
  const n100k = 100_000;
  const n2m = 2 * 1024 * 1024;
  const cases: [string, string, (text: string) => void][] = [
    ['a-a-a-… (100k)', 'a-'.repeat(n100k / 2), (out) => expect(out).toBe('a-'.repeat(n100k / 2))],
    ['a-a-a-… (2 MiB)', 'a-'.repeat(n2m / 2), (out) => expect(out).toBe('a-'.repeat(n2m / 2))],
    // The keyed form at the end of a 2 MiB run of key characters: the value is still redacted.
    [
      'a-a-…token=secret (2 MiB)',
      `${'a-'.repeat(n2m / 2 - 10)}token=secret`,
      (out) => expect(out.endsWith(`token=${REDACTED}`)).toBe(true),
    ],
    ['tokentoken… (2 MiB)', 'token'.repeat(n2m / 5), (out) => expect(out).toBe('token'.repeat(n2m / 5))],
    ['token   … no separator (2 MiB)', `token${' '.repeat(n2m)}x`, (out) => expect(out.length).toBe(n2m + 6)],
    ['token=   … no value (2 MiB)', `token=${' \t'.repeat(n2m / 2)}`, (out) => expect(out).toBe(`token=${' \t'.repeat(n2m / 2)}`)],
    ['Bearer     … (2 MiB)', `Bearer${' '.repeat(n2m)}`, (out) => expect(out.length).toBe(n2m + 6)],
    ['token: token: token: … (2 MiB)', 'token: '.repeat(n2m / 7), (out) => expect(out).toContain(`token: ${REDACTED}`)],
    // One 2 MiB token-shaped run: one replacement.
    ['aB3aB3… (2 MiB)', 'aB3'.repeat(n2m / 3), (out) => expect(out).toBe(REDACTED)],
  ];
  for (const [label, input, check] of cases) {
    it(`${label}: right answer, at most 8 character visits per character`, () => {
      const { text, steps } = redactTokensCounted(input, ['0123456789abcdef']);
      check(text);
      expect(steps).toBeLessThanOrEqual(8 * input.length + 16);
    });
  }

  it('reading the token line of a 2 MiB hostile AGENTS.md completes (anchored, one pass per line)', () => {
    const token = 'Zq3xY9-abcdefghijklmnopqrstuvwxyz0123456789A';
    const junk = `${' '.repeat(500_000)}- AUTH_TOKEN=${'a'.repeat(500_000)}"x\n${'AUTH_TOKEN = '.repeat(50_000)}\n`;
    expect(tokenFromAgentsFile(`${junk}- AUTH_TOKEN=${token}\n`)).toBe(token);
  });
});
