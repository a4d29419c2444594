import type { Diagnostics } from '../../diagnostics/index.js';
import type { HandlerGroup } from '../handlers.js';

export function doctorHandlers(d: Diagnostics): HandlerGroup<'doctorReport' | 'doctorCheck' | 'doctorFix' | 'doctorSupportBundle'> {
  return {
    doctorReport: () => d.report(),
    doctorCheck: ({ params }) => d.check(params.check_id),
    doctorFix: ({ params, body }) => d.fix(params.check_id, body),
    doctorSupportBundle: () => d.supportBundle(),
  };
}
