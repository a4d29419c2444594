import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../backend/contract/openapi.js';

/**
 * The contract was cut by resource (#15 §3): `/openapi.json` must say exactly what it said before.
 * The fixture holds one SHA-256 per operation (and one for the rest of the document) of the canonical
 * JSON (object keys sorted, arrays in order) generated from the route table before the cut, so a
 * failure names the operation that changed. Regenerate it only for a deliberate contract change:
 * `UPDATE_OPENAPI_FIXTURE=1 npx vitest run test/unit/openapi-unchanged.test.ts`.
 */
const FIXTURE = new URL('./fixtures/openapi-operations.sha256.json', import.meta.url);

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;
const sha = (value: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');

export function openApiDigest(): Record<string, string> {
  const { paths, ...rest } = buildOpenApiDocument({ serverUrl: 'http://127.0.0.1:8000' });
  const digest: Record<string, string> = { document: sha(rest) };
  for (const path of Object.keys(paths).sort()) {
    for (const method of Object.keys(paths[path]!).sort()) digest[`${method} ${path}`] = sha(paths[path]![method]);
  }
  return digest;
}

describe('/openapi.json is unchanged by the contract cut', () => {
  it('every operation and the rest of the document hash as before', async () => {
    if (process.env.UPDATE_OPENAPI_FIXTURE === '1') {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(FIXTURE, JSON.stringify(openApiDigest(), null, 2) + '\n');
    }
    expect(openApiDigest()).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  });
});
