import type { CheckId, DoctorCheckResult, DoctorReport } from '../contract/diagnostics.js';
import { apiPort, baseUrl } from './checks/api.js';
import { neverCheckedIn, offlineAgents, stuckAgents, tokenDrift } from './checks/agents.js';
import { execPolicy, gatewayConnection } from './checks/gateway.js';
import { sameUserExec } from './checks/same-user-exec.js';
import { templateDrift } from './checks/templates.js';
import { logLevel, memory, schedulerAlive } from './checks/runtime.js';
import { backgroundLoops, diskFull } from './checks/loops.js';
import { dbIntegrity, dbMigrations, dbWal, diskFree } from './checks/storage.js';
import { storageGrowth } from './checks/growth.js';
import type { CheckDef, CheckEnv, Outcome } from './types.js';

/** Every check, in the order the report shows them (the seed guide's order: start, gateway, agents, data). */
export const CHECKS: readonly CheckDef[] = [
  apiPort,
  baseUrl,
  gatewayConnection,
  execPolicy,
  sameUserExec,
  templateDrift,
  tokenDrift,
  offlineAgents,
  neverCheckedIn,
  stuckAgents,
  schedulerAlive,
  backgroundLoops,
  dbIntegrity,
  dbMigrations,
  dbWal,
  diskFree,
  storageGrowth,
  diskFull,
  memory,
  logLevel,
];

export const checkById = (id: CheckId): CheckDef => {
  const def = CHECKS.find((c) => c.id === id);
  if (!def) throw new Error(`unknown check ${id}`);
  return def;
};

/** Run one check; a check that throws is reported as failed with its error, never as a crash. */
export async function runCheck(def: CheckDef, env: CheckEnv): Promise<DoctorCheckResult> {
  let outcome: Outcome;
  if (def.needsApp && !env.app) {
    outcome = { status: 'skipped', reason: 'needs the running app', explanation: 'Start Mission Control to run this check.' };
  } else {
    try {
      outcome = await def.run(env);
    } catch (err) {
      outcome = { status: 'fail', explanation: `The check itself failed: ${(err as Error).message}` };
    }
  }
  return {
    id: def.id,
    title: def.title,
    severity: def.severity,
    status: outcome.status,
    reason: outcome.status === 'skipped' ? (outcome.reason ?? 'not applicable') : null,
    evidence: outcome.evidence ?? {},
    explanation: outcome.explanation,
    fixes: outcome.fixes ?? [],
    verify: def.verify,
    needs_app: def.needsApp,
  };
}

export async function runChecks(env: CheckEnv): Promise<DoctorReport> {
  const checks: DoctorCheckResult[] = [];
  // One after another: the gateway checks share one connection per gateway, and the machine is small.
  for (const def of CHECKS) checks.push(await runCheck(def, env));
  const summary = { ok: 0, warn: 0, fail: 0, skipped: 0 };
  for (const c of checks) summary[c.status]++;
  return { generated_at: env.now().toISOString(), app_running: env.app !== null, summary, checks };
}
