/*
 * Redaction of workspace files (drift diffs, results, logs), in linear time whatever the input.
 *
 * Agents write their own MEMORY.md / USER.md / AGENTS.md, and every drift read redacts them, so the
 * cost of redaction is something an agent chooses. The regular expressions this replaces backtracked
 * super-linearly: `\b[A-Za-z0-9_-]*token…` retried the whole run of key characters from every word
 * boundary in it, so 100,000 characters of `a-a-a-…` blocked the event loop for ~5 s (a 2 MiB file:
 * most of an hour). Here each pass is a hand-written scanner that moves forward only; the number of
 * character visits it makes is counted (`steps`), and tests assert it stays within a small multiple of
 * the input's length for adversarial inputs. No backtracking engine is involved, so no input can make
 * it slower than linear.
 *
 * What is redacted is exactly what the regular expressions redacted (a property test compares both
 * on random inputs; the reference patterns are in test/unit/redaction.test.ts):
 * 1. every given token (the one the workspace holds, the one that would be written), wherever it is;
 * 2. the value after any key ending in "token" (AUTH_TOKEN, X-Agent-Token, "gateway_token", …) and `=`
 *    or `:`, quoted or not — was /(\b[A-Za-z0-9_-]*token["']?[ \t]*[:=][ \t]*["'`]?)(?![<$[{])[^\s"'`]+/gi;
 * 3. the value after `Bearer` — was /(\bBearer[ \t]+)(?![<$[{])[^\s"'`]+/gi;
 * 4. anything shaped like a secret — was /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g,
 *    replaced when it mixes at least two of lower case, upper case and digits.
 * Placeholders (`<AUTH_TOKEN>`, `$AUTH_TOKEN`, `${…}`, `{{…}}`) and an already redacted value are left
 * alone: they are not secrets, and a diff should still show them.
 */

/** What a token is replaced with wherever a workspace file is shown (drift diffs, results, logs). */
export const REDACTED = '[redacted]';

/** Counts character visits: the evidence that redaction is linear. */
interface Work {
  steps: number;
}

// [A-Za-z0-9_-]: the characters of a key, a token and a token-shaped run.
const isKeyChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
const isWordChar = (c: number) => c !== 45 && isKeyChar(c);
const isSpaceOrTab = (c: number) => c === 32 || c === 9;
const isQuote = (c: number) => c === 34 || c === 39;
const isQuoteOrBacktick = (c: number) => isQuote(c) || c === 96;
/** `<`, `$`, `[`, `{`: the start of a placeholder or of `[redacted]`. */
const startsPlaceholder = (c: number) => c === 60 || c === 36 || c === 91 || c === 123;
/** JavaScript's `\s` (the class the old patterns excluded from a value). */
const isJsSpace = (c: number) =>
  (c >= 9 && c <= 13) ||
  c === 32 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;
const isValueChar = (c: number) => !isJsSpace(c) && !isQuoteOrBacktick(c);

/** `word` (lower case ASCII letters) at `at`, in any case. */
function wordAt(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * The end of a value that starts at `from` (`(?![<$[{])[^\s"'`]+`), or -1 when there is none.
 * Visits each character of the value once.
 */
function valueEnd(text: string, from: number, work: Work): number {
  const n = text.length;
  if (from >= n || startsPlaceholder(text.charCodeAt(from))) return -1;
  let k = from;
  while (k < n && isValueChar(text.charCodeAt(k))) {
    k++;
    work.steps++;
  }
  return k > from ? k : -1;
}

/** Skips spaces and tabs from `from`; returns where they end. */
function skipBlanks(text: string, from: number, work: Work): number {
  let j = from;
  while (j < text.length && isSpaceOrTab(text.charCodeAt(j))) {
    j++;
    work.steps++;
  }
  return j;
}

/**
 * Replaces the values a matcher finds. `match(i)` answers where the kept prefix ends and the value
 * ends for a match starting at `i`, or null. A match resumes the scan after its value; a failed
 * attempt only looked at characters no other attempt looks at (see the callers), so the whole pass
 * visits each character a bounded number of times.
 */
function replaceValues(text: string, work: Work, match: (i: number) => { keep: number; end: number } | null): string {
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < text.length) {
    work.steps++;
    const found = match(i);
    if (!found) {
      i++;
      continue;
    }
    out.push(text.slice(last, found.keep), REDACTED);
    last = found.end;
    i = found.end;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

/*
 * Pass 2. The old pattern's `\b[A-Za-z0-9_-]*` before "token" never changed what was replaced, only
 * where the (kept) prefix started: any run of key characters that ends in "token" has a word boundary
 * before its first word character, and "token" must end the run (the next character is a quote,
 * a blank, `:` or `=`, none of them key characters). So a match is "token" followed by the tail; the
 * attempt after a failure starts past "token", and a tail never contains "token" before its value.
 */
function redactKeyedValues(text: string, work: Work): string {
  return replaceValues(text, work, (i) => {
    if (!wordAt(text, i, 'token')) return null;
    let j = i + 5;
    if (j < text.length && isQuote(text.charCodeAt(j))) j++;
    j = skipBlanks(text, j, work);
    const sep = text.charCodeAt(j);
    if (sep !== 58 && sep !== 61) return null; // `:` or `=`
    j = skipBlanks(text, j + 1, work);
    if (j < text.length && isQuoteOrBacktick(text.charCodeAt(j))) j++;
    const end = valueEnd(text, j, work);
    return end < 0 ? null : { keep: j, end };
  });
}

/* Pass 3: `\bBearer[ \t]+value`; the blanks after a failed "Bearer" contain no other "Bearer". */
function redactBearerValues(text: string, work: Work): string {
  return replaceValues(text, work, (i) => {
    if (!wordAt(text, i, 'bearer') || (i > 0 && isWordChar(text.charCodeAt(i - 1)))) return null;
    const j = skipBlanks(text, i + 6, work);
    if (j === i + 6) return null;
    const end = valueEnd(text, j, work);
    return end < 0 ? null : { keep: j, end };
  });
}

/** Pass 4: maximal runs of key characters, 40 or more long, that mix at least two character classes. */
function redactTokenShaped(text: string, work: Work): string {
  const out: string[] = [];
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    work.steps++;
    if (!isKeyChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    let lower = false;
    let upper = false;
    let digit = false;
    for (; end < n; end++) {
      const c = text.charCodeAt(end);
      if (!isKeyChar(c)) break;
      work.steps++;
      if (c >= 97 && c <= 122) lower = true;
      else if (c >= 65 && c <= 90) upper = true;
      else if (c >= 48 && c <= 57) digit = true;
    }
    if (end - i >= 40 && Number(lower) + Number(upper) + Number(digit) >= 2) {
      out.push(text.slice(last, i), REDACTED);
      last = end;
    }
    i = end;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

/**
 * `redactTokens` with the number of character visits it made (for the linearity tests). Known
 * tokens are replaced with `split`/`join` (a native substring search: linear in the text for a
 * fixed token; tokens are at most a few hundred characters).
 */
export function redactTokensCounted(content: string, tokens: readonly (string | null | undefined)[] = []): { text: string; steps: number } {
  const work: Work = { steps: 0 };
  let text = content;
  for (const token of tokens) {
    if (!token || token.length < 8) continue;
    work.steps += text.length;
    text = text.split(token).join(REDACTED);
  }
  text = redactTokenShaped(redactBearerValues(redactKeyedValues(text, work), work), work);
  return { text, steps: work.steps };
}

/**
 * The text with every token taken out: the tokens given (the one the workspace holds, the one that
 * would be written) wherever they appear, the value after any `…token=`/`…token:` key and after
 * `Bearer`, and anything token-shaped (40 or more of [A-Za-z0-9_-] mixing two of lower case, upper
 * case and digits: agent tokens are 43 such characters, the local token 86, a hex gateway token mixes
 * lower case and digits; ordinary words, dashed rules and UUIDs are not touched), so a token an agent
 * pasted into its own MEMORY.md or USER.md never reaches a diff either. Comparing redacted texts
 * compares everything but the secrets. Linear in the length of the text.
 */
export function redactTokens(content: string, tokens: readonly (string | null | undefined)[] = []): string {
  return redactTokensCounted(content, tokens).text;
}
