import { createStore } from 'zustand/vanilla';
import type {
  CheckId,
  DoctorCheckResult,
  DoctorFix,
  DoctorFixResult,
  DoctorReport,
  SupportBundleRead,
} from '../../../../backend/contract/diagnostics.js';
import type { ApiClient } from '../api/client.js';
import { describeProblem, type Problem } from '../problem.js';

export interface FixRun {
  checkId: CheckId;
  /** Every check whose finding this fix addresses (its own first; the others offered the same fix). */
  addresses: CheckId[];
  fix: DoctorFix;
  running: boolean;
  result: DoctorFixResult | null;
  error: Problem | null;
}

export interface DoctorState {
  report: DoctorReport | null;
  loading: boolean;
  error: Problem | null;
  /** The latest result per check: from the full report, a single re-run, or a fix's verify. */
  checks: Partial<Record<CheckId, DoctorCheckResult>>;
  checking: Partial<Record<CheckId, boolean>>;
  /** Per fix (see {@link fixKey}): running, its verify result, or why it failed. */
  fixes: Record<string, FixRun>;
  bundle: SupportBundleRead | null;
  bundleBusy: boolean;
  bundleError: Problem | null;

  /** Every check (`GET /api/v1/doctor`). */
  load(): Promise<void>;
  /** These checks again, each on its own (`GET /api/v1/doctor/checks/{id}`), in parallel. */
  runChecks(ids: readonly CheckId[]): Promise<void>;
  /**
   * Applies a check's fix, then shows its verify result; destructive fixes need `confirm`. `also`: other
   * checks that offered the same fix (a guided flow offers it once) — they run again after it.
   */
  applyFix(checkId: CheckId, fix: DoctorFix, confirm?: boolean, also?: readonly CheckId[]): Promise<DoctorFixResult | null>;
  createBundle(): Promise<SupportBundleRead | null>;
}

/** The fixes run for this check so far (their results stay visible after the check passes and offers none). */
export const fixRunsOf = (fixes: Record<string, FixRun>, checkId: CheckId): [string, FixRun][] =>
  Object.entries(fixes).filter(([, run]) => run.checkId === checkId);

/** One action on one target (and board), whichever check offers it. */
export const actionKey = (fix: Pick<DoctorFix, 'action' | 'target_id' | 'board_id'> & { fingerprint?: string | null }): string =>
  [fix.action, fix.target_id ?? '', fix.board_id ?? '', fix.fingerprint ?? ''].join('|');

/** One fix of one check on one target: the key its run is kept under. */
export const fixKey = (checkId: CheckId, fix: Pick<DoctorFix, 'action' | 'target_id' | 'board_id'>): string =>
  `${checkId}|${actionKey(fix)}`;

/** A distinct action a guided flow offers, once, with the findings (checks) it addresses. */
export interface FlowAction {
  key: string;
  fix: DoctorFix;
  /** In the flow's order: the first runs the fix and verifies it; the others are checked again after it. */
  checkIds: CheckId[];
  /** Its run so far (kept after the checks pass and stop offering it). */
  run: FixRun | null;
}

/**
 * The actions of a guided flow: each distinct fix (same action + target + board) once, however many of the
 * flow's checks offer it — e.g. rotate & re-sync of one board, offered by both the token-drift and the
 * template-drift check. Offered by a check that found a problem, or already run in this flow.
 */
export function flowActions(
  flowChecks: readonly CheckId[],
  checks: Partial<Record<CheckId, DoctorCheckResult>>,
  fixes: Record<string, FixRun>,
): FlowAction[] {
  const actions = new Map<string, FlowAction>();
  const add = (checkId: CheckId, fix: DoctorFix) => {
    const key = actionKey(fix);
    const found = actions.get(key);
    if (!found) actions.set(key, { key, fix, checkIds: [checkId], run: null });
    else if (!found.checkIds.includes(checkId)) found.checkIds.push(checkId);
  };
  for (const [, run] of Object.entries(fixes)) {
    if (!flowChecks.includes(run.checkId)) continue;
    for (const id of run.addresses) add(id, run.fix);
    actions.get(actionKey(run.fix))!.run = run;
  }
  for (const id of flowChecks) {
    const c = checks[id];
    if (c && (c.status === 'fail' || c.status === 'warn')) for (const f of c.fixes) add(id, f);
  }
  const order = (id: CheckId) => flowChecks.indexOf(id);
  for (const a of actions.values()) a.checkIds.sort((x, y) => order(x) - order(y));
  return [...actions.values()];
}

/**
 * How long a fix's verify may wait for its check to pass: agents need a wake and a check-in (a few
 * seconds to a minute); a rotation waits for every re-keyed agent; the rest are immediate.
 */
export function verifyWaitSeconds(action: DoctorFix['action']): number {
  switch (action) {
    case 'rotate_tokens_and_sync':
      return 90;
    case 'reprovision_agent':
    case 'wake_agent':
    case 'allow_checkin':
      return 60;
    case 'sync_templates':
      return 20;
    case 'retest_gateway':
    case 'trust_gateway_certificate':
      return 10;
    default:
      return 0;
  }
}

/**
 * The doctor for the Troubleshoot page: the report, single checks run live for a guided flow, fixes
 * with their verify result, and the support bundle. The API client is injected (tests use a real backend).
 */
export function createDoctorStore(api: ApiClient) {
  return createStore<DoctorState>()((set, get) => {
    const keep = (results: DoctorCheckResult[]) => {
      const checks = { ...get().checks };
      for (const r of results) checks[r.id] = r;
      const report = get().report;
      set({
        checks,
        // The report shows the newest result of each check too (a fix's verify replaces the stale one).
        ...(report && { report: { ...report, checks: report.checks.map((c) => checks[c.id] ?? c) } }),
      });
    };
    const setFix = (key: string, run: FixRun) => set({ fixes: { ...get().fixes, [key]: run } });

    return {
      report: null,
      loading: false,
      error: null,
      checks: {},
      checking: {},
      fixes: {},
      bundle: null,
      bundleBusy: false,
      bundleError: null,

      async load() {
        set({ loading: true, error: null });
        try {
          const report = await api('doctorReport');
          set({ report });
          keep(report.checks);
        } catch (err) {
          set({ error: describeProblem(err, 'The doctor') });
        } finally {
          set({ loading: false });
        }
      },

      async runChecks(ids) {
        set({ checking: { ...get().checking, ...Object.fromEntries(ids.map((id) => [id, true])) } });
        await Promise.all(
          ids.map(async (id) => {
            try {
              keep([await api('doctorCheck', { params: { check_id: id } })]);
            } catch (err) {
              set({ error: describeProblem(err, `The check ${id}`) });
            } finally {
              set({ checking: { ...get().checking, [id]: false } });
            }
          }),
        );
      },

      async applyFix(checkId, fix, confirm = false, also = []) {
        const key = fixKey(checkId, fix);
        if (get().fixes[key]?.running) return null;
        const addresses = [checkId, ...also.filter((id) => id !== checkId)];
        setFix(key, { checkId, addresses, fix, running: true, result: null, error: null });
        try {
          const result = await api('doctorFix', {
            body: {
              check_id: checkId,
              action: fix.action,
              ...(fix.target_id ? { target_id: fix.target_id } : {}),
              ...(fix.board_id ? { board_id: fix.board_id } : {}),
              ...(fix.action === 'set_log_level' ? { level: fix.level ?? 'info' } : {}),
              ...(fix.fingerprint ? { fingerprint: fix.fingerprint } : {}),
              confirm,
              verify_wait_seconds: verifyWaitSeconds(fix.action),
            },
          });
          keep([result.verify]);
          setFix(key, { checkId, addresses, fix, running: false, result, error: null });
          // The other findings it addresses: their checks again, so the flow shows what they say now.
          if (addresses.length > 1) await get().runChecks(addresses.slice(1));
          return result;
        } catch (err) {
          setFix(key, { checkId, addresses, fix, running: false, result: null, error: describeProblem(err, fix.label) });
          return null;
        }
      },

      async createBundle() {
        set({ bundleBusy: true, bundleError: null });
        try {
          const bundle = await api('doctorSupportBundle');
          set({ bundle });
          return bundle;
        } catch (err) {
          set({ bundleError: describeProblem(err, 'The support bundle') });
          return null;
        } finally {
          set({ bundleBusy: false });
        }
      },
    };
  });
}

export type DoctorStore = ReturnType<typeof createDoctorStore>;
