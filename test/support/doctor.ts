import type { DoctorCheckResult, DoctorFixResult } from '../../backend/contract/diagnostics.js';
import type { TestApi } from './api.js';

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

/** Re-reads until `ok` holds (returns that value) or the time is up (throws with the last value). */
export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last).slice(0, 600)})`);
    await new Promise((r) => setTimeout(r, 300));
    last = await read();
  }
  return last;
}
