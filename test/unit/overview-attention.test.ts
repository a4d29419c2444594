import { describe, expect, it } from 'vitest';
import type { DoctorCheckResult, DoctorFix } from '../../backend/contract/diagnostics.js';
import type { RememberedAgentDrift, RememberedGatewayDrift } from '../../backend/contract/templates.js';
import { driftCounts } from '../../backend/lifecycle/drift-memory.js';
import { href, parseRoute } from '../../renderer/src/model/routes.js';
import { attentionList, fixesFor, templateSummary, tokenDriftEvidence } from '../../renderer/src/model/stores/attention-store.js';
import { agentRecord as agent, iso } from '../support/renderer.js';

/* The Overview's "Needs attention" list: evidence in, one item per agent or drifted gateway out. */

const GW = '00000000-0000-4000-8000-0000000000f1';
const BOARD = '00000000-0000-4000-8000-0000000000b1';
const OTHER_BOARD = '00000000-0000-4000-8000-0000000000b2';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const gateway = { id: GW, name: 'Local', connection_state: 'connected' as const };

const fix = (over: Partial<DoctorFix>): DoctorFix => ({
  action: 'reprovision_agent',
  label: 'Re-provision',
  destructive: true,
  target_id: null,
  board_id: null,
  level: null,
  fingerprint: null,
  ...over,
});

/** The doctor's agents.token_drift result, failing for these agents with its usual fixes. */
function tokenDriftCheck(drifted: { agent_id: string; refused: number }[], fixes: DoctorFix[]): DoctorCheckResult {
  return {
    id: 'agents.token_drift',
    title: 'Agent tokens in sync',
    severity: 'critical',
    status: drifted.length ? 'fail' : 'ok',
    reason: null,
    evidence: {
      drifted: drifted.map((d) => ({
        agent_id: d.agent_id,
        name: 'x',
        refused_checkins: d.refused,
        last_refused_at: iso(-60_000),
        last_seen_at: iso(-600_000),
      })),
      unknown_token_failures: 0,
      window_minutes: 60,
    },
    explanation: '',
    fixes,
    verify: '',
    needs_app: true,
  };
}

const remembered = (agents: Partial<RememberedAgentDrift>[], over: Partial<RememberedGatewayDrift> = {}): RememberedGatewayDrift => {
  const list = agents.map((a, i) => ({
    agent_id: id(100 + i),
    agent_name: `Agent ${i}`,
    board_id: BOARD,
    is_main: false,
    state: 'in_sync' as const,
    files: [],
    token: 'match' as const,
    error: null,
    checked_at: iso(-240_000),
    source: 'drift_read' as const,
    ...a,
  }));
  return {
    gateway_id: GW,
    state: 'drifted',
    counts: driftCounts(list),
    checked_at: iso(-240_000),
    agents: list,
    ...over,
  };
};

describe('attention list', () => {
  it('an agent both offline and token-drifted shows once, as token drift (the cause), with the offline state noted', () => {
    const a = agent({ id: id(1), name: 'Dev', status: 'offline', wake_attempts: 3, last_provision_error: 'never checked in' });
    const items = attentionList({
      agents: [a],
      gateways: [gateway],
      tokenDrift: tokenDriftCheck([{ agent_id: a.id, refused: 4 }], []),
      templateDrift: [],
    });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'agent', key: `agent:${a.id}`, kind: 'token drift', also: ['offline'] });
    expect(items[0]?.type === 'agent' && items[0].tokenDrift?.refused_checkins).toBe(4);
  });

  it('token drift comes from the check’s evidence, not from the words of an error (the old regex guess is gone)', () => {
    const a = agent({ id: id(1), status: 'offline', last_provision_error: 'Token drift: the agent used a rotated token (401).' });
    const [item] = attentionList({ agents: [a], gateways: [gateway], tokenDrift: tokenDriftCheck([], []), templateDrift: [] });
    expect(item?.kind).toBe('offline');
    // A passing check, or one not read yet, reports no drift.
    expect(tokenDriftEvidence(undefined).size).toBe(0);
    expect(tokenDriftEvidence(tokenDriftCheck([], [])).size).toBe(0);
  });

  it('keeps offline, stuck and not-provisioned agents; online agents need nothing', () => {
    const agents = [
      agent({ id: id(1), name: 'Zed', status: 'offline' }),
      agent({ id: id(2), name: 'Amy', status: 'provisioning', wake_attempts: 2 }),
      agent({ id: id(3), name: 'Bob', status: 'provisioning', last_provision_error: 'gateway unreachable' }),
      agent({ id: id(4), name: 'Ok', status: 'online' }),
    ];
    const items = attentionList({ agents, gateways: [gateway], tokenDrift: null, templateDrift: null });
    expect(items.map((i) => [i.kind, i.type === 'agent' ? i.agent.name : ''])).toEqual([
      ['offline', 'Zed'],
      ['stuck', 'Amy'],
      ['not provisioned', 'Bob'],
    ]);
    expect(items[0]).toMatchObject({ why: 'Silent for longer than its heartbeat allows.' });
  });

  it('order and keys are stable: a live update of one agent moves nothing else', () => {
    const agents = [agent({ id: id(1), name: 'B', status: 'offline' }), agent({ id: id(2), name: 'A', status: 'offline' })];
    const before = attentionList({ agents, gateways: [gateway], tokenDrift: null, templateDrift: null }).map((i) => i.key);
    const updated = [agents[0]!, { ...agents[1]!, last_provision_error: 'new reason', updated_at: iso(1000) }];
    expect(attentionList({ agents: updated, gateways: [gateway], tokenDrift: null, templateDrift: null }).map((i) => i.key)).toEqual(
      before,
    );
    expect(before).toEqual([`agent:${id(2)}`, `agent:${id(1)}`]); // by kind, then name
  });

  it('offers the check’s own fixes for that agent: its re-provision and the rotate & re-sync covering its board or gateway', () => {
    const a = agent({ id: id(1), gateway_id: GW, board_id: BOARD });
    const fixes = [
      fix({ action: 'reprovision_agent', target_id: a.id }),
      fix({ action: 'reprovision_agent', target_id: id(2) }),
      fix({ action: 'rotate_tokens_and_sync', target_id: GW, board_id: BOARD }),
      fix({ action: 'rotate_tokens_and_sync', target_id: GW, board_id: OTHER_BOARD }),
    ];
    const check = tokenDriftCheck([{ agent_id: a.id, refused: 1 }], fixes);
    expect(fixesFor(check, a)).toEqual([fixes[0], fixes[2]]);
    const [item] = attentionList({ agents: [a], gateways: [gateway], tokenDrift: check, templateDrift: [] });
    expect(item?.type === 'agent' && item.fixes).toEqual([fixes[0], fixes[2]]);
    // A main agent's drift is fixed by a gateway-wide rotation (board_id null).
    const main = agent({ id: id(3), gateway_id: GW, board_id: null });
    const whole = fix({ action: 'rotate_tokens_and_sync', target_id: GW, board_id: null });
    expect(fixesFor(tokenDriftCheck([], [whole]), main)).toEqual([whole]);
  });

  it('a gateway whose templates are known to have drifted is one item, listing only the agents that differ', () => {
    const drift = remembered([
      { state: 'drifted', files: ['SOUL.md'] },
      { state: 'token_differs', token: 'mismatch' },
      { state: 'in_sync' },
    ]);
    const items = attentionList({ agents: [], gateways: [gateway], tokenDrift: null, templateDrift: [drift] });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'templates', key: `templates:${GW}`, kind: 'template drift' });
    expect(items[0]?.type === 'templates' && items[0].agents.map((a) => a.state)).toEqual(['drifted', 'token_differs']);
    // Not drifted, not checked, or a gateway no longer listed: no item.
    for (const state of ['in_sync', 'partly_checked', 'not_checked', 'no_agents'] as const)
      expect(attentionList({ agents: [], gateways: [gateway], tokenDrift: null, templateDrift: [remembered([], { state })] })).toEqual([]);
    expect(attentionList({ agents: [], gateways: [], tokenDrift: null, templateDrift: [drift] })).toEqual([]);
  });
});

describe('templates summary (the Gateways card)', () => {
  it('never says "in sync" without a check: not read, never checked, or changed since', () => {
    expect(templateSummary(undefined).text).toBe('Templates: not checked yet');
    expect(templateSummary(remembered([{ state: 'not_checked', checked_at: null }], { state: 'not_checked', checked_at: null })).text).toBe(
      'Templates: not checked yet',
    );
    expect(templateSummary(remembered([{ state: 'stale' }], { state: 'not_checked', checked_at: null })).text).toMatch(
      /changed since the last check/,
    );
    expect(templateSummary(remembered([{ state: 'in_sync' }, { state: 'not_checked' }], { state: 'partly_checked' })).text).toBe(
      'Templates: 1 of 2 agents in sync, 1 not checked yet',
    );
    expect(templateSummary(remembered([{ state: 'in_sync' }], { state: 'in_sync' }))).toEqual({
      tone: 'ok',
      text: 'Templates: in sync (1 agent)',
    });
    expect(templateSummary(remembered([{ state: 'drifted' }, { state: 'in_sync' }])).text).toBe('Templates drifted: 1 of 2 agents');
  });
});

describe('route to the sync dialog', () => {
  it('“Review & sync” opens the gateway page with its Sync templates dialog', () => {
    expect(parseRoute(href.gatewaySync(GW))).toEqual({ page: 'gateway', id: GW, sync: true });
    expect(parseRoute(href.gateway(GW))).toEqual({ page: 'gateway', id: GW });
  });
});
