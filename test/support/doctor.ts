import type { DoctorCheckResult, DoctorFixResult } from '../../backend/contract/diagnostics.js';
import type { TestApi } from './api.js';
import { until } from './until.js';

/** One doctor check, run through the API as the local user. */
export const doctorCheck = async (t: TestApi, id: string): Promise<DoctorCheckResult> =>
  (await t.user('get', `/api/v1/doctor/checks/${id}`).expect(200)).body as DoctorCheckResult;

/** Apply a fix through the API (expects 200) and return its result with the verifying check. */
export const doctorFix = async (t: TestApi, id: string, body: Record<string, unknown>): Promise<DoctorFixResult> =>
  (
    await t
      .user('post', '/api/v1/doctor/fix')
      .send({ check_id: id, ...body })
      .expect(200)
  ).body as DoctorFixResult;

/** The shared polling helper, for the suites that import it from here. */
export { until };
