import { ApiError } from './api/client.js';

/** A failed request as a person reads it: what happened, what to do next, and the machine's words. */
export interface Problem {
  title: string;
  message: string;
  next_step: string | null;
  /** The server's classification (`unreachable`, `template_sync_running`, …), when it gave one. */
  code: string | null;
  status: number | null;
}

const field = (detail: unknown, key: string): string | null => {
  if (detail && typeof detail === 'object' && key in detail) {
    const v = (detail as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : null;
  }
  return null;
};

/**
 * Turns an error from the typed client into plain words. The statuses the template sync and the
 * doctor document (409 a sync already running, 502 gateway unreachable, 422 a field) each get a
 * sentence that says what happened to the agents and what to do.
 */
export function describeProblem(err: unknown, doing = 'That'): Problem {
  if (!(err instanceof ApiError)) {
    return {
      title: 'Mission Control did not answer',
      message: `${doing} could not be sent: ${err instanceof Error ? err.message : String(err)}. Is the app still running?`,
      next_step: null,
      code: null,
      status: null,
    };
  }
  const code = field(err.detail, 'code');
  const nextStep = field(err.detail, 'next_step');
  switch (err.status) {
    case 409:
      if (code === 'template_sync_running')
        return {
          title: 'A template sync of this gateway is already running',
          message:
            'Only one sync runs per gateway at a time, so no agent’s token is rotated twice. Its progress shows here; run again once it has finished.',
          next_step: null,
          code,
          status: 409,
        };
      return { title: `${doing} was refused`, message: err.message, next_step: nextStep, code, status: 409 };
    case 502:
      return {
        title: 'The gateway could not be reached',
        message: `${err.message.replace(/^Gateway unavailable for template sync: /, '')} Nothing was changed on any agent.`,
        next_step: nextStep,
        code,
        status: 502,
      };
    case 404:
      return { title: 'Not found', message: `${err.message}. It may have been deleted meanwhile.`, next_step: null, code, status: 404 };
    case 401:
      return { title: 'Signed out', message: 'Your session ended. Reload the page and sign in again.', next_step: null, code, status: 401 };
    case 422:
      return { title: `${doing} was not accepted`, message: err.message, next_step: null, code, status: 422 };
    default:
      return { title: `${doing} failed`, message: err.message, next_step: nextStep, code, status: err.status };
  }
}
