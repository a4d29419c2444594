import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every gateway call goes through the typed table (backend/gateway/methods.ts, call.ts): no backend
 * file sends a method by name through the raw `request` (which parses nothing). The connection and
 * `call` themselves are the only users of `request`.
 */
const root = join(import.meta.dirname, '../../backend');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const STRINGLY = /\.request\s*(<[^>]*>)?\s*\(\s*['"`]|\.request\s*</;

describe('gateway calls', () => {
  it('no backend file calls a gateway method by name through the raw request (use call(conn, method, params))', () => {
    const offenders = files(root)
      .filter((f) => !/gateway[\\/](connection|call)\.ts$/.test(f))
      .filter((f) => STRINGLY.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
