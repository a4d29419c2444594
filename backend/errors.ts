import { ERROR_STATUS, type ErrorCode } from './contract/errors.js';

/**
 * The one error type services throw. `detail` keeps the web edition's wire shape: a string, or an
 * object agents parse (`{message, code, blocked_by_task_ids}` for a blocked task, …).
 */
export type AppErrorCode = ErrorCode;

const STATUS: Record<AppErrorCode, number> = ERROR_STATUS;

/**
 * Every route wraps a gateway failure as `gateway_error` (502) with the failure's code in `detail`. One
 * of those is not the gateway's fault and no retry fixes it: Mission Control's own sealed credentials
 * cannot be opened (backend/gateway/credential-vault.ts). That is a conflict the user resolves by
 * re-entering the gateway token (409), never a 5xx.
 */
const statusOf = (code: AppErrorCode, detail: ErrorDetail): number =>
  code === 'gateway_error' && typeof detail === 'object' && !Array.isArray(detail) && detail.code === 'credentials_unreadable'
    ? STATUS.conflict
    : STATUS[code];

/** A message, an object agents parse, or (for bad input found by a service) FastAPI-shaped `[{loc, msg, type}]`. */
export type ErrorDetail = string | Record<string, unknown> | { loc: (string | number)[]; msg: string; type: string }[];

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: AppErrorCode,
    readonly detail: ErrorDetail,
  ) {
    super(
      typeof detail === 'string' ? detail : Array.isArray(detail) ? detail.map((d) => d.msg).join('; ') : String(detail.message ?? code),
    );
    this.status = statusOf(code, detail);
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (detail: ErrorDetail) => new AppError('forbidden', detail);
export const conflict = (detail: ErrorDetail) => new AppError('conflict', detail);
export const unprocessable = (detail: ErrorDetail) => new AppError('validation_failed', detail);
