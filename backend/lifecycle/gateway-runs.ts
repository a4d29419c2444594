import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open-db.js';
import { agents, type AgentRow } from '../db/schema.js';
import type { GatewayManager } from '../gateway/manager.js';
import type { Logger } from '../logging.js';
import { recordLifecycle } from '../core/lifecycle-trail.js';
import { RUN_FAILED_EVENT } from '../core/wake-ladder-reasons.js';

export { RUN_FAILED_EVENT };

/*
 * Reasons from the gateway's side: why an agent did not answer, as the gateway itself saw its run.
 *
 * Verified on openclaw 2026.9.6: the `heartbeat` event (and `last-heartbeat`) carries the outcome of a
 * wake's turn — `{status:"failed", reason:"agent-runner-failure", preview:"⚠️ Authentication failed
 * (provider returned HTTP 401)…"}` — but no agent id, session or run id, so with several agents on a
 * gateway it cannot be attributed. Once the connection has called `sessions.subscribe`, the gateway
 * also sends `sessions.changed` for every run, naming the agent and the run:
 *   {agentId, sessionKey:"agent:<id>:main", runId, phase:"error", session:{status:"failed", lastRunError}}
 * for a failed run (heartbeat turns from `wake` and `chat.send` turns alike), and phase "end" with
 * status "done" for a run that completed. That is the evidence recorded here.
 */


const SessionChanged = z.object({
  agentId: z.string().min(1).optional(),
  sessionKey: z.string().min(1).optional(),
  runId: z.string().min(1).optional(),
  phase: z.string().optional(),
  session: z.object({ status: z.string().optional(), lastRunError: z.string().nullable().optional() }).optional(),
});

export interface RunFailure {
  /** The agent's id on the gateway (`mc-<uuid>`, `lead-<board>`, `mc-gateway-<gateway>`). */
  gatewayAgentId: string;
  runId: string | null;
  /** The gateway's own text for the failure (credential-redacted by the gateway, capped here). */
  error: string;
}

/** `agent:<id>:<rest>` → `<id>` */
const agentOfSessionKey = (key: string | undefined): string | null => /^agent:([^:]+):/.exec(key ?? '')?.[1] ?? null;

/** A failed run named by a gateway event, or null when the event is anything else. */
export function runFailureOf(event: string, payload: unknown): RunFailure | null {
  // Cheap checks first: every run's start, end and message updates arrive here, with full session rows.
  if (event !== 'sessions.changed' || (payload as { phase?: unknown } | null)?.phase !== 'error') return null;
  const parsed = SessionChanged.safeParse(payload);
  if (!parsed.success || parsed.data.phase !== 'error') return null;
  const { agentId, sessionKey, runId, session } = parsed.data;
  const gatewayAgentId = agentId ?? agentOfSessionKey(sessionKey);
  if (!gatewayAgentId) return null;
  const error = session?.lastRunError?.trim() || 'the gateway reported the run as failed without a message';
  return { gatewayAgentId, runId: runId ?? null, error: scrub(error).slice(0, 300) };
}

/** Belt and braces: the gateway redacts provider credentials; an agent token must not slip through either. */
export const scrub = (text: string): string =>
  text.replace(/(X-Agent-Token:\s*)\S+/gi, '$1[redacted]').replace(/[A-Za-z0-9_-]{40,}/g, '[redacted]');

/**
 * The cause in a few words, from the gateway's message. The gateway's own classification
 * (`errorDetail.failoverReason`) is only on per-session `chat` events, so the text is read.
 */
export function classifyRunError(error: string): string {
  const rules: [RegExp, string][] = [
    // "Inline API key for provider … is temporarily disabled after a provider auth/billing failure" (the
    // gateway shortens long texts in the middle, so match either end).
    [/inline api key for provider|auth\/billing failure/i, 'model auth/billing (the gateway paused the provider key after a refusal)'],
    [/exec denied|approval/i, 'exec approval refused'],
    [/billing|quota|insufficient.?credit|\b402\b/i, 'model billing'],
    [/authenticat|unauthori[sz]ed|\b401\b|\b403\b|api key|credential|re-authenticate/i, 'model auth'],
    [/rate.?limit|\b429\b|too many requests/i, 'model rate limit'],
    [/model.{0,40}not (?:be )?found|unknown model|model_not_found/i, 'model not found'],
    [/context (?:window|length)|too long|overflow/i, 'context overflow'],
    [/timed? ?out|timeout/i, 'model timeout'],
    [/\b5\d\d\b|server error|overloaded|unavailable/i, 'model provider error'],
  ];
  return rules.find(([re]) => re.test(error))?.[1] ?? 'agent runner failed';
}

/** The sentence shown in the trail and, when the ladder ends, in `last_provision_error`. */
export const runFailureReason = (error: string): string => `gateway: agent run failed — ${classifyRunError(error)} (${error})`;

/** Our agent behind a gateway agent id on one gateway (keys as `gatewayAgentKey` makes them). */
export function agentForGatewayKey(db: Db, gatewayId: string, key: string): AgentRow | undefined {
  const onGateway = (...where: SQL[]) =>
    db
      .select()
      .from(agents)
      .where(and(eq(agents.gatewayId, gatewayId), ...where))
      .get();
  if (key.startsWith('mc-gateway-')) return key === `mc-gateway-${gatewayId}` ? onGateway(isNull(agents.boardId)) : undefined;
  if (key.startsWith('lead-')) return onGateway(eq(agents.boardId, key.slice('lead-'.length)), eq(agents.isBoardLead, true));
  if (key.startsWith('mc-')) return onGateway(eq(agents.id, key.slice('mc-'.length)));
  return undefined;
}


/**
 * Listens to every saved gateway's events and records each failed run of one of our agents as
 * `lifecycle.gateway.run_failed` (once per run). Returns the function that stops listening.
 */
export function watchGatewayRuns(deps: { db: Db; logger: Logger; manager: GatewayManager; now: () => Date }): () => void {
  const log = deps.logger.child('lifecycle');
  // The gateway can repeat a run's error phase (restart recovery): one record per run.
  const seen = new Set<string>();
  return deps.manager.onEvent((gatewayId, event, payload) => {
    const failure = runFailureOf(event, payload);
    if (!failure) return;
    const runKey = `${gatewayId}:${failure.runId ?? ''}:${failure.gatewayAgentId}`;
    if (failure.runId !== null) {
      if (seen.has(runKey)) return;
      seen.add(runKey);
      if (seen.size > 1_000) seen.delete(seen.values().next().value!);
    }
    const agent = agentForGatewayKey(deps.db, gatewayId, failure.gatewayAgentId);
    if (!agent) return; // not one of ours (the gateway's own agents, or one deleted meanwhile)
    recordLifecycle(
      deps.db,
      log,
      deps.now(),
      RUN_FAILED_EVENT,
      agent.id,
      runFailureReason(failure.error),
      { gateway_id: gatewayId, run_id: failure.runId, cause: classifyRunError(failure.error), error: failure.error },
      'warn',
    );
  });
}

/*
 * A wake the gateway accepted and then dropped before running it. Seen on openclaw 2026.9.6: creating
 * another agent reloads the gateway's config, which supersedes the model runtime a wake's run was
 * being prepared with; the run never starts (no `sessions.changed` error, so no run_failed), and the
 * only evidence is a `heartbeat` event naming the agent's directory:
 *   {status:"failed", reason:"prepared model runtime plugin generation was superseded for
 *    <state>/agents/<agentId>/agent", durationMs:1355, indicatorType:"error"}
 */
const HeartbeatFailed = z.object({ status: z.literal('failed'), reason: z.string() });
const SUPERSEDED = /generation was superseded for .*[/\\]agents[/\\]([^/\\]+)[/\\]agent\b/;

/** The gateway agent id whose wake the gateway dropped, or null for any other event. */
export function droppedWakeOf(event: string, payload: unknown): { gatewayAgentId: string; reason: string } | null {
  if (event !== 'heartbeat') return null;
  const parsed = HeartbeatFailed.safeParse(payload);
  if (!parsed.success) return null;
  const match = SUPERSEDED.exec(parsed.data.reason);
  return match?.[1] ? { gatewayAgentId: match[1], reason: scrub(parsed.data.reason).slice(0, 300) } : null;
}
