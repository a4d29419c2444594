import { CheckId } from '../../contract/diagnostics.js';
import type { Diagnostics } from '../../diagnostics/index.js';
import { notFound } from '../../errors.js';
import type { HandlerGroup } from '../handlers.js';

const known = (id: string): CheckId => {
  const parsed = CheckId.safeParse(id);
  if (!parsed.success) throw notFound('Check');
  return parsed.data;
};

export function doctorHandlers(d: Diagnostics): HandlerGroup<'doctorReport' | 'doctorCheck' | 'doctorFix' | 'doctorSupportBundle'> {
  return {
    doctorReport: () => d.report(),
    doctorCheck: ({ params }) => d.check(known(params.check_id)),
    doctorFix: ({ body }) => d.fix(body.check_id, body),
    doctorSupportBundle: () => d.supportBundle(),
  };
}
