import { z } from 'zod';

/**
 * Every error code the API answers with (`code` of the error body), with its HTTP status. Services
 * throw `AppError(code, detail)` (backend/errors.ts) typed by this table; the error middleware writes
 * only these; clients read `code` from one enum. Finer reasons travel in `detail.code`
 * (`task_blocked_cannot_transition`, `template_sync_running`, a gateway failure's class, …).
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  validation_failed: 422,
  payload_too_large: 413,
  gone: 410,
  host_not_allowed: 403,
  cross_origin_refused: 403,
  gateway_error: 502,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCode = z.enum(ERROR_CODES);
