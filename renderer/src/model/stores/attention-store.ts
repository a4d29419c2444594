import { createStore } from 'zustand/vanilla';
import type { AgentRead } from '../../../../backend/contract/agents.js';
import type { DoctorCheckResult, DoctorFix } from '../../../../backend/contract/diagnostics.js';
import type { GatewayRead } from '../../../../backend/contract/gateways.js';
import type { RememberedGatewayDrift } from '../../../../backend/contract/templates.js';
import type { ApiClient } from '../api/client.js';
import { describeProblem, type Problem } from '../problem.js';

/*
 * The Overview's "Needs attention" list, from evidence rather than guesses: agent states from the agent
 * records, token drift from the doctor's `agents.token_drift` check (check-ins refused with a rotated
 * token; DB only), template drift from what the backend remembers of its drift reads, syncs and
 * provisioning (`GET /api/v1/template-drift`; reading the files again is "Check now").
 */

export type AgentAttentionKind = 'token drift' | 'offline' | 'stuck' | 'not provisioned';

/** What the token-drift check saw for one agent (its evidence). */
export interface TokenDriftEvidence {
  refused_checkins: number;
  last_refused_at: string | null;
  last_seen_at: string | null;
}

export interface AgentAttention {
  type: 'agent';
  /** Stable across updates: the list is keyed by it, so a row never jumps or remounts. */
  key: string;
  kind: AgentAttentionKind;
  agent: AgentRead;
  why: string;
  /** Other kinds that also apply, folded into this one (an agent shows once, with its most specific kind). */
  also: AgentAttentionKind[];
  /** For token drift: the check's evidence and the fixes it offers for this agent. */
  tokenDrift: TokenDriftEvidence | null;
  fixes: DoctorFix[];
}

export interface TemplateAttention {
  type: 'templates';
  key: string;
  kind: 'template drift';
  gateway: Pick<GatewayRead, 'id' | 'name' | 'connection_state'>;
  drift: RememberedGatewayDrift;
  /** Agents known to differ: changed or missing files, a token that differs, or an unreadable workspace. */
  agents: RememberedGatewayDrift['agents'];
}

export type AttentionItem = AgentAttention | TemplateAttention;

/** Most specific first: a cause (token drift) beats a symptom (offline), a symptom beats a state. */
const RANK: Record<AgentAttentionKind, number> = { 'token drift': 0, offline: 1, stuck: 2, 'not provisioned': 3 };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The drifted agents in the check's evidence (shape-checked: evidence is free-form in the contract). */
export function tokenDriftEvidence(check: DoctorCheckResult | null | undefined): Map<string, TokenDriftEvidence> {
  const out = new Map<string, TokenDriftEvidence>();
  const list = check?.status === 'fail' ? check.evidence.drifted : undefined;
  if (!Array.isArray(list)) return out;
  for (const d of list) {
    if (!isRecord(d) || typeof d.agent_id !== 'string') continue;
    out.set(d.agent_id, {
      refused_checkins: typeof d.refused_checkins === 'number' ? d.refused_checkins : 0,
      last_refused_at: typeof d.last_refused_at === 'string' ? d.last_refused_at : null,
      last_seen_at: typeof d.last_seen_at === 'string' ? d.last_seen_at : null,
    });
  }
  return out;
}

/** The check's fixes that act on this agent: its re-provision, and the rotate & re-sync covering its board (or its whole gateway). */
export function fixesFor(
  check: DoctorCheckResult | null | undefined,
  agent: Pick<AgentRead, 'id' | 'gateway_id' | 'board_id'>,
): DoctorFix[] {
  return (check?.fixes ?? []).filter((f) =>
    f.action === 'reprovision_agent'
      ? f.target_id === agent.id
      : f.action === 'rotate_tokens_and_sync' && f.target_id === agent.gateway_id && (f.board_id === null || f.board_id === agent.board_id),
  );
}

function agentKinds(agent: AgentRead, drifted: boolean): { kind: AgentAttentionKind; why: string }[] {
  const reason = agent.last_provision_error;
  const kinds: { kind: AgentAttentionKind; why: string }[] = [];
  if (drifted)
    kinds.push({
      kind: 'token drift',
      why: 'Its check-ins are refused (401): its workspace still holds a token that was rotated away.',
    });
  if (agent.status === 'offline') kinds.push({ kind: 'offline', why: reason ?? 'Silent for longer than its heartbeat allows.' });
  else if (agent.wake_attempts > 1) kinds.push({ kind: 'stuck', why: reason ?? `Woken ${agent.wake_attempts} times without a check-in.` });
  else if (agent.status === 'provisioning' && reason) kinds.push({ kind: 'not provisioned', why: reason });
  return kinds;
}

export interface AttentionInputs {
  agents: AgentRead[];
  gateways: Pick<GatewayRead, 'id' | 'name' | 'connection_state'>[];
  /** The latest `agents.token_drift` result (null: not read yet). */
  tokenDrift: DoctorCheckResult | null | undefined;
  /** What the backend remembers of each gateway's template drift (null: not read yet). */
  templateDrift: RememberedGatewayDrift[] | null;
}

/**
 * What needs a person: one item per agent (token drift, offline, stuck, not provisioned — the most
 * specific kind, the others noted in `also`), then one per gateway whose templates are known to have
 * drifted. Ordered by kind, then by name, so live updates move an item only when its kind changes.
 */
export function attentionList({ agents, gateways, tokenDrift, templateDrift }: AttentionInputs): AttentionItem[] {
  const drifted = tokenDriftEvidence(tokenDrift);
  const items: AgentAttention[] = [];
  for (const agent of agents) {
    const kinds = agentKinds(agent, drifted.has(agent.id));
    const [first, ...rest] = kinds;
    if (!first) continue;
    const isDrift = first.kind === 'token drift';
    items.push({
      type: 'agent',
      key: `agent:${agent.id}`,
      kind: first.kind,
      agent,
      why: first.why,
      also: rest.map((k) => k.kind),
      tokenDrift: isDrift ? (drifted.get(agent.id) ?? null) : null,
      fixes: isDrift ? fixesFor(tokenDrift, agent) : [],
    });
  }
  items.sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.agent.name.localeCompare(b.agent.name) || a.agent.id.localeCompare(b.agent.id));
  const templates: TemplateAttention[] = [];
  for (const drift of templateDrift ?? []) {
    if (drift.state !== 'drifted') continue;
    const gateway = gateways.find((g) => g.id === drift.gateway_id);
    if (!gateway) continue;
    templates.push({
      type: 'templates',
      key: `templates:${gateway.id}`,
      kind: 'template drift',
      gateway,
      drift,
      agents: drift.agents.filter((a) => a.state === 'drifted' || a.state === 'token_differs' || a.state === 'unreadable'),
    });
  }
  templates.sort((a, b) => a.gateway.name.localeCompare(b.gateway.name));
  return [...items, ...templates];
}

/** One gateway's templates in a few words, honest about what is not known. */
export function templateSummary(drift: RememberedGatewayDrift | undefined): { tone: 'ok' | 'warn' | 'bad' | 'muted'; text: string } {
  if (!drift) return { tone: 'muted', text: 'Templates: not checked yet' };
  const c = drift.counts;
  const unknown = c.not_checked + c.stale;
  const problems = c.drifted + c.token_differs + c.unreadable;
  switch (drift.state) {
    case 'no_agents':
      return { tone: 'muted', text: 'Templates: no agents yet' };
    case 'not_checked':
      return {
        tone: 'muted',
        text: c.stale ? 'Templates: changed since the last check, not checked again yet' : 'Templates: not checked yet',
      };
    case 'in_sync':
      return { tone: 'ok', text: `Templates: in sync (${c.agents} ${c.agents === 1 ? 'agent' : 'agents'})` };
    case 'partly_checked':
      return { tone: 'muted', text: `Templates: ${c.in_sync} of ${c.agents} agents in sync, ${unknown} not checked yet` };
    case 'drifted':
      return { tone: 'bad', text: `Templates drifted: ${problems} of ${c.agents} ${c.agents === 1 ? 'agent' : 'agents'}` };
  }
}

export interface TemplateDriftState {
  /** null until the first read. */
  drift: RememberedGatewayDrift[] | null;
  error: Problem | null;
  /** Gateways with a "Check now" (a full drift read) running. */
  checking: Record<string, boolean>;
  checkErrors: Record<string, Problem | null>;
  /** Re-read what the backend remembers (cheap: no gateway). */
  load(): Promise<void>;
  /** Read every agent's files on this gateway again (the drift read), then show what is remembered now. */
  checkNow(gatewayId: string): Promise<void>;
}

/** The remembered template drift for the Overview; the API client is injected (tests use a real backend). */
export function createTemplateDriftStore(api: ApiClient) {
  return createStore<TemplateDriftState>()((set, get) => ({
    drift: null,
    error: null,
    checking: {},
    checkErrors: {},

    async load() {
      try {
        const res = await api('rememberedTemplateDrift');
        set({ drift: res.items, error: null });
      } catch (err) {
        set({ error: describeProblem(err, 'Reading the template drift') });
      }
    },

    async checkNow(gatewayId) {
      if (get().checking[gatewayId]) return;
      set({ checking: { ...get().checking, [gatewayId]: true }, checkErrors: { ...get().checkErrors, [gatewayId]: null } });
      try {
        await api('gatewayTemplateDrift', { params: { gateway_id: gatewayId }, query: { include_main: 'true', lead_only: 'false' } });
      } catch (err) {
        set({ checkErrors: { ...get().checkErrors, [gatewayId]: describeProblem(err, 'Checking the templates') } });
      } finally {
        await get().load();
        set({ checking: { ...get().checking, [gatewayId]: false } });
      }
    },
  }));
}

export type TemplateDriftStore = ReturnType<typeof createTemplateDriftStore>;
