import type { CheckId, DoctorCheckResult, DoctorFixRequest, DoctorFixResult, FixAction } from '../contract/diagnostics.js';
import { conflict, unprocessable } from '../errors.js';
import { eq } from 'drizzle-orm';
import type { TemplateSyncResult } from '../contract/templates.js';
import { agents } from '../db/schema.js';
import { asAppError } from '../gateway/errors.js';
import { logFileOf } from './checks/runtime.js';
import { checkById, runCheck } from './registry.js';
import type { AppEnv, CheckEnv } from './types.js';

/*
 * Fix actions. Each reuses the operation the API already has (wake, re-provision, allow-checkin, the
 * gateway status), then runs its check again: the answer says whether the fix is verified.
 */

interface Applied {
  message: string;
  path?: string;
  /** What the fix still waits for besides its check passing (null: nothing); re-asked while verifying. */
  pending?: () => string | null;
}

interface FixDef {
  /** Needs confirm: true (a fresh session, new tokens). */
  destructive: boolean;
  target: 'agent' | 'gateway' | null;
  /** Takes a board_id (a template sync limited to one board of the gateway). */
  boardScoped?: boolean;
  apply(app: AppEnv, env: CheckEnv, targetId: string | null, req: DoctorFixRequest): Promise<Applied>;
}

const asApiError = (err: unknown): never => {
  throw asAppError(err);
};

const FIXES: Record<FixAction, FixDef> = {
  retest_gateway: {
    destructive: false,
    target: 'gateway',
    async apply(app, _env, id) {
      // A fresh connection now, instead of waiting for the backoff (the fix may have happened on the gateway).
      app.manager.forget(id!);
      const status = await app.services.gateways.status(id!, 20_000);
      return {
        message: status.ok
          ? `Connected (${status.server_version ?? '?'}, protocol ${status.protocol_version ?? '?'}).`
          : `Still failing: ${status.error?.code ?? 'unknown'}.`,
      };
    },
  },
  trust_gateway_certificate: {
    // Destructive in the sense that matters: from now on this certificate is trusted without a CA.
    destructive: true,
    target: 'gateway',
    async apply(app, _env, id, req) {
      const pin = app.services.gateways.pinCertificate(id!, req.fingerprint!); // fingerprint: required, checked in applyFix
      const status = await app.services.gateways.status(id!, 20_000);
      return {
        message: status.ok
          ? `Pinned SHA-256 ${pin}; connected (${status.server_version ?? '?'}).`
          : `Pinned SHA-256 ${pin}; still failing: ${status.error?.code ?? 'unknown'}${status.error ? ` (${status.error.detail})` : ''}.`,
      };
    },
  },
  allow_checkin: {
    destructive: false,
    target: 'agent',
    async apply(app, _env, id) {
      await app.services.provisioner.allowCheckin(id!).catch(asApiError);
      return {
        message:
          'Its exact check-in command (curl, pinned arguments) is on the agent’s exec allowlist; broader curl entries on its list were removed.',
      };
    },
  },
  reprovision_agent: {
    destructive: true,
    target: 'agent',
    async apply(app, _env, id) {
      await app.services.wakeLadder.reprovision(id!);
      const agent = app.services.agents.get(id!);
      return {
        message: agent.last_provision_error
          ? `Re-provisioning reported: ${agent.last_provision_error}`
          : 'Re-provisioned and woken; waiting for its check-in.',
      };
    },
  },
  wake_agent: {
    destructive: false,
    target: 'agent',
    async apply(app, _env, id) {
      await app.services.wakeLadder.wake(id!);
      return { message: 'Woken; a new check-in ladder started.' };
    },
  },
  sync_templates: {
    destructive: false,
    target: 'gateway',
    boardScoped: true,
    async apply(app, _env, id, req) {
      const result = await templateSync(app, id!, req.board_id, false);
      return { message: syncSummary(result) };
    },
  },
  rotate_tokens_and_sync: {
    destructive: true,
    target: 'gateway',
    boardScoped: true,
    async apply(app, _env, id, req) {
      const result = await templateSync(app, id!, req.board_id, true);
      // Verified only once every re-keyed agent checked in — after the sync, when its old token was already refused.
      const finishedAt = new Date(result.finished_at).getTime();
      const rotated = result.agents.filter((a) => a.token_rotated);
      const pending = () => {
        const waiting = rotated.filter((a) => {
          if (a.verify?.checked_in) return false;
          const row = app.services.ctx.db.select({ seen: agents.lastSeenAt }).from(agents).where(eq(agents.id, a.agent_id)).get();
          return !row?.seen || row.seen.getTime() < finishedAt;
        });
        return waiting.length
          ? `${waiting.map((a) => a.agent_name).join(', ')} not checked in with the new token yet (the check-in ladder keeps waking them).`
          : null;
      };
      return { message: syncSummary(result), pending };
    },
  },
  set_log_level: {
    destructive: false,
    target: null,
    async apply(app, _env, _id, req) {
      const level = req.level!; // required: checked in applyFix
      app.logger.setLevel(level);
      return { message: `Log level is now ${level} (until the app restarts; set --log-level / MC_LOG_LEVEL to keep it).` };
    },
  },
  reveal_logs: {
    destructive: false,
    target: null,
    async apply(_app, env) {
      const path = logFileOf(env.dataDir);
      return { message: `The log file is ${path}.`, path };
    },
  },
  checkpoint_wal: {
    destructive: false,
    target: null,
    async apply(app) {
      const [row] = app.services.ctx.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      return { message: row?.busy ? 'A reader kept the checkpoint from finishing; try again.' : 'Write-ahead log checkpointed.' };
    },
  },
  restart_scheduler: {
    destructive: false,
    target: null,
    async apply(app) {
      await app.services.wakeLadder.stop();
      app.services.wakeLadder.start();
      await app.services.wakeLadder.tick();
      return { message: 'Scheduler restarted; it resumed every ladder from the database.' };
    },
  },
};

/** A template sync of one gateway (or one board of it) through the template sync's public API. */
async function templateSync(app: AppEnv, gatewayId: string, boardId: string | undefined, rotate: boolean): Promise<TemplateSyncResult> {
  if (!app.templateSync) throw conflict({ message: 'This build has no template sync.', code: 'template_sync_unavailable' });
  return app.templateSync
    .sync(gatewayId, {
      // A board-scoped sync leaves the gateway's main agent alone.
      include_main: boardId === undefined,
      lead_only: false,
      reset_sessions: false,
      rotate_tokens: rotate,
      force_bootstrap: false,
      overwrite: false,
      verify: rotate,
      ...(boardId !== undefined && { board_id: boardId }),
    })
    .catch(asApiError);
}

function syncSummary(r: TemplateSyncResult): string {
  const updated = r.agents.filter((a) => a.outcome === 'updated').length;
  const rotated = r.agents.filter((a) => a.token_rotated).length;
  const checkedIn = r.agents.filter((a) => a.verify?.checked_in).length;
  const parts = [`${updated} of ${r.agents.length} agent(s) re-synced`];
  if (r.rotate_tokens) parts.push(`${rotated} token(s) rotated`);
  if (r.verify) parts.push(`${checkedIn} checked in with the new token within the deadline`);
  if (r.paused_board_ids.length)
    parts.push(`${r.paused_board_ids.length} paused board(s) ${r.rotate_tokens ? 're-keyed only' : 'skipped'}`);
  const errors = r.errors.map((e) => `${e.agent_name ?? 'gateway'}: ${e.message}`);
  return `${parts.join(', ')}.${errors.length ? ` ${errors.join(' ')}` : ''}`;
}

/** Which fixes each check may run (a fix is refused on a check it does not belong to). */
const ALLOWED: Partial<Record<CheckId, FixAction[]>> = {
  'gateway.connection': ['retest_gateway', 'trust_gateway_certificate'],
  'gateway.exec_policy': ['allow_checkin'],
  'gateway.template_drift': ['sync_templates', 'rotate_tokens_and_sync'],
  'agents.token_drift': ['reprovision_agent', 'rotate_tokens_and_sync'],
  'agents.offline': ['wake_agent', 'reprovision_agent'],
  'agents.never_checked_in': ['wake_agent', 'reprovision_agent'],
  'agents.stuck': ['reprovision_agent'],
  'scheduler.alive': ['restart_scheduler'],
  'db.wal': ['checkpoint_wal'],
  'process.memory': ['reveal_logs'],
  'runtime.loops': ['reveal_logs'],
  'disk.full': ['reveal_logs'],
  'logging.level': ['set_log_level', 'reveal_logs'],
};

export const destructiveFix = (action: FixAction): boolean => FIXES[action].destructive;

export async function applyFix(env: CheckEnv, checkId: CheckId, req: DoctorFixRequest): Promise<DoctorFixResult> {
  const app = env.app;
  if (!app) throw conflict('Fixes run inside the app; start Mission Control first.');
  const def = FIXES[req.action];
  if (!ALLOWED[checkId]?.includes(req.action)) {
    throw unprocessable({ message: `${checkId} has no fix ${req.action}.`, loc: ['body', 'action'], allowed: ALLOWED[checkId] ?? [] });
  }
  if (def.target && !req.target_id)
    throw unprocessable({ message: `${req.action} needs the ${def.target} it acts on.`, loc: ['body', 'target_id'] });
  if (def.target === 'agent') app.services.agents.getRow(req.target_id!);
  if (def.target === 'gateway') app.services.gateways.getRow(req.target_id!);
  if (req.board_id !== undefined) {
    if (!def.boardScoped) throw unprocessable({ message: `${req.action} takes no board_id.`, loc: ['body', 'board_id'] });
    if (app.services.boards.getRow(req.board_id).gatewayId !== req.target_id)
      throw unprocessable({ message: 'The board does not belong to this gateway.', loc: ['body', 'board_id'] });
  }
  if (req.action === 'set_log_level' && req.level === undefined) {
    throw unprocessable({ message: 'set_log_level needs the level to set (e.g. info or debug).', loc: ['body', 'level'] });
  }
  if (req.action === 'trust_gateway_certificate' && req.fingerprint === undefined) {
    throw unprocessable({
      message: 'trust_gateway_certificate needs the fingerprint you compared (the one the check showed).',
      loc: ['body', 'fingerprint'],
    });
  }
  if (req.fingerprint !== undefined && req.action !== 'trust_gateway_certificate')
    throw unprocessable({ message: `${req.action} takes no fingerprint.`, loc: ['body', 'fingerprint'] });
  if (def.destructive && !req.confirm) {
    throw unprocessable({
      message: `${req.action} is destructive (a fresh session, new tokens, or a certificate trusted without a CA): send confirm: true to run it.`,
      loc: ['body', 'confirm'],
    });
  }
  const targetId = def.target ? req.target_id! : null;
  const target: FixTarget | null = targetId
    ? { id: targetId, gatewayId: def.target === 'agent' ? app.services.agents.getRow(targetId).gatewayId : targetId, boardId: req.board_id }
    : null;
  const startedAt = Date.now();
  const done = await def.apply(app, env, targetId, req);
  // An agent that was not checking in is fixed when it checks in — not when the fix itself (a new
  // deadline, a status change) takes it off the check's list.
  const checkedIn =
    def.target === 'agent' && CHECKIN_FINDINGS.has(checkId)
      ? () => {
          const row = app.services.ctx.db.select({ name: agents.name, seen: agents.lastSeenAt }).from(agents).where(eq(agents.id, targetId!)).get();
          return row && (!row.seen || row.seen.getTime() < startedAt)
            ? `${row.name} has not checked in since (the check-in ladder keeps waking it; its reason shows on the agent when it gives up).`
            : null;
        }
      : null;
  const stillPending = () => done.pending?.() ?? checkedIn?.() ?? null;
  const check = checkById(checkId);
  const until = Date.now() + req.verify_wait_seconds * 1000;
  let verify = await runCheck(check, env);
  let pending = stillPending();
  while ((!resolved(verify, target) || pending) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    verify = await runCheck(check, env);
    pending = stillPending();
  }
  const verified = resolved(verify, target) && !pending;
  const others = verified && verify.status !== 'ok' ? ' Its finding is gone; the check still reports others.' : '';
  return {
    action: req.action,
    target_id: targetId,
    message: pending ? `${done.message} Not verified yet: ${pending}` : `${done.message}${others}`,
    path: done.path ?? null,
    verify,
    verified,
  };
}

/** Checks whose finding for an agent is "it does not check in": verified only by a check-in after the fix. */
const CHECKIN_FINDINGS: ReadonlySet<CheckId> = new Set(['agents.offline', 'agents.never_checked_in', 'agents.token_drift']);

/** What a targeted fix acted on: an agent or a gateway (the agent's gateway too), maybe one board. */
export interface FixTarget {
  id: string;
  gatewayId: string | null;
  boardId: string | undefined;
}

/**
 * The finding a fix addressed is gone: its check passes, or — for a fix aimed at one agent or gateway (and
 * board) — the check ran, looked at that target, and offers nothing for it any more. Never by silence: a
 * skipped check, a check that failed without naming any fix (it crashed, or nothing it found is fixable),
 * or a gateway the check could not look at does not verify anything there.
 */
export function resolved(verify: DoctorCheckResult, target: FixTarget | null): boolean {
  if (verify.status === 'skipped') return false;
  const notLookedAt = verify.evidence.unchecked_gateway_ids;
  if (target?.gatewayId && Array.isArray(notLookedAt) && notLookedAt.includes(target.gatewayId)) return false;
  if (verify.status === 'ok') return true;
  if (target === null || verify.fixes.length === 0) return false;
  // A whole-gateway fix (board_id null) still covers the board a board-scoped request named.
  return !verify.fixes.some(
    (f) => f.target_id === target.id && (target.boardId === undefined || f.board_id === target.boardId || f.board_id === null),
  );
}
