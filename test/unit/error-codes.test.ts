import { describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../backend/contract/common.js';
import { ERROR_CODES, ERROR_STATUS } from '../../backend/contract/errors.js';
import { buildOpenApiDocument } from '../../backend/contract/openapi.js';
import { AppError } from '../../backend/errors.js';

describe('ERROR_CODES: one table of the error codes the API answers with', () => {
  it('the error body accepts every code of the table and nothing else', () => {
    for (const code of ERROR_CODES) expect(ErrorResponse.safeParse({ detail: 'x', request_id: 'r', code }).success).toBe(true);
    const unknown = ErrorResponse.safeParse({ detail: 'x', request_id: 'r', code: 'no_such_code' });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(['code']);
  });

  it('AppError takes its status from the table', () => {
    for (const code of ERROR_CODES) expect(new AppError(code, 'x').status).toBe(ERROR_STATUS[code]);
  });

  it('/openapi.json lists the codes in the error schema', () => {
    const doc = buildOpenApiDocument({ serverUrl: 'http://127.0.0.1:8000' });
    const schema = (doc.paths['/api/v1/agents']!.get as { responses: Record<string, { content: Record<string, { schema: unknown }> }> })
      .responses['401']!.content['application/json']!.schema as { properties: { code: { enum: string[] } } };
    expect(schema.properties.code.enum).toEqual([...ERROR_CODES]);
  });
});
