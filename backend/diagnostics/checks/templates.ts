import { inArray } from 'drizzle-orm';
import type { DoctorFix } from '../../contract/diagnostics.js';
import type { TemplateDriftResult } from '../../contract/templates.js';
import { boards, type GatewayRow } from '../../db/schema.js';
import { fix, type AppEnv, type CheckDef } from '../types.js';
import { gatewayRows, reachGateway, uncheckedGateways } from './gateway.js';

/*
 * Template drift, read through the template sync's own drift preview (backend/lifecycle/template-sync.ts):
 * per agent, the files a sync would rewrite and whether the token in its workspace is the one Mission
 * Control holds. The evidence names files and token states only — never a token, never a diff (the
 * drift endpoint has the diffs).
 */

type AgentDrift = TemplateDriftResult['agents'][number];

/** An agent whose workspace token is not the one Mission Control accepts (its check-ins get 401, or it has none). */
const tokenDiffers = (a: Pick<AgentDrift, 'token'>) => a.token === 'mismatch' || a.token === 'missing';

function agentFindings(a: AgentDrift) {
  const rewrite = a.files.filter((f) => !f.preserved && (f.status === 'drifted' || f.status === 'missing'));
  return {
    agent_id: a.agent_id,
    name: a.agent_name,
    board_id: a.board_id,
    is_main: a.is_main,
    paused: a.paused,
    token: a.token,
    drifted: rewrite.filter((f) => f.status === 'drifted').map((f) => f.name),
    missing: rewrite.filter((f) => f.status === 'missing').map((f) => f.name),
    /** USER.md / MEMORY.md: the agent's own files; a difference is expected and a sync keeps them. */
    own_files_changed: a.files.filter((f) => f.preserved && (f.status === 'drifted' || f.status === 'missing')).map((f) => f.name),
    error: a.error,
  };
}
type Finding = ReturnType<typeof agentFindings>;

const needsSync = (f: Finding) => f.drifted.length + f.missing.length > 0;
const isProblem = (f: Finding) => needsSync(f) || tokenDiffers(f) || f.error !== null;

function describeAgent(f: Finding): string {
  const parts: string[] = [];
  if (f.drifted.length) parts.push(`${f.drifted.join(', ')} changed on the gateway`);
  if (f.missing.length) parts.push(`${f.missing.join(', ')} missing`);
  if (f.token === 'mismatch') parts.push('its AGENTS.md holds a token Mission Control does not accept, so its check-ins are refused (401)');
  if (f.token === 'missing') parts.push('its AGENTS.md holds no token, so it cannot check in');
  if (f.error) parts.push(`its workspace could not be read (${f.error})`);
  const paused = tokenDiffers(f)
    ? ' (board paused: a sync skips it until /resume; a rotation re-keys it)'
    : ' (board paused: a sync skips it until /resume)';
  return `${f.name}${f.paused ? paused : ''}: ${parts.join('; ')}`;
}

/**
 * "Rotate tokens & re-sync" for these agents of one gateway, as narrow as the sync allows: one board's
 * agents (main agent left alone), or the whole gateway when its main agent is among them.
 */
export function rotateFixes(app: AppEnv, gateway: Pick<GatewayRow, 'id' | 'name'>, scope: { boardId: string | null }[]): DoctorFix[] {
  if (scope.length === 0) return [];
  const whole = () => [
    fix(
      'rotate_tokens_and_sync',
      `Rotate tokens & re-sync every agent on “${gateway.name}” (new tokens, old ones refused; waits for their check-ins)`,
      gateway.id,
      true,
    ),
  ];
  if (scope.some((s) => s.boardId === null)) return whole();
  const ids = [...new Set(scope.map((s) => s.boardId!))];
  const names = new Map(
    app.services.ctx.db
      .select({ id: boards.id, name: boards.name })
      .from(boards)
      .where(inArray(boards.id, ids))
      .all()
      .map((b) => [b.id, b.name]),
  );
  return ids.map((boardId) =>
    fix(
      'rotate_tokens_and_sync',
      `Rotate tokens & re-sync the agents of board “${names.get(boardId) ?? boardId}” on “${gateway.name}” (new tokens, old ones refused; waits for their check-ins)`,
      gateway.id,
      true,
      boardId,
    ),
  );
}

export const templateDrift: CheckDef = {
  id: 'gateway.template_drift',
  title: 'Agent workspace files and tokens match Mission Control',
  severity: 'warning',
  needsApp: true,
  verify: 'Reads every agent’s workspace files on its gateway again and compares them (and its token, by hash) with what a sync writes.',
  async run(env) {
    const app = env.app!;
    const port = app.templateSync;
    if (!port) return { status: 'skipped', reason: 'template sync not available', explanation: 'This build has no template sync.' };
    const seen: Record<string, unknown>[] = [];
    const unchecked = uncheckedGateways();
    const problems: string[] = [];
    const fixes: DoctorFix[] = [];
    let fixable = 0;
    let checked = 0;
    for (const row of gatewayRows(app)) {
      const hello = await reachGateway(app, row, unchecked);
      if (!hello) continue;
      let result: TemplateDriftResult;
      try {
        result = await port.drift(row.id, { include_main: true, lead_only: false });
      } catch (err) {
        unchecked.add(row, (err as Error).message);
        continue;
      }
      checked += result.agents.length;
      const found = result.agents.map(agentFindings).filter(isProblem);
      seen.push({ gateway_id: row.id, gateway: row.name, agents_checked: result.agents.length, agents: found });
      if (found.length === 0) continue;
      problems.push(`On “${row.name}”: ${found.map(describeAgent).join('. ')}.`);
      // A sync skips paused boards (offering it for them would never verify); a rotation re-keys them all the same.
      const active = found.filter((f) => !f.paused);
      fixable += active.length + found.filter((f) => f.paused && tokenDiffers(f)).length;
      if (active.some((f) => needsSync(f) && !tokenDiffers(f))) {
        fixes.push(
          fix('sync_templates', `Sync templates on “${row.name}” (rewrites the files; tokens and the agents’ own files kept)`, row.id),
        );
      }
      fixes.push(
        ...rotateFixes(
          app,
          row,
          found.filter(tokenDiffers).map((f) => ({ boardId: f.board_id })),
        ),
      );
    }
    const evidence = { gateways: seen, ...unchecked.evidence() };
    if (problems.length) {
      const anyToken = fixes.some((f) => f.action === 'rotate_tokens_and_sync');
      const anySync = fixes.some((f) => f.action === 'sync_templates');
      return {
        status: fixable ? 'fail' : 'warn',
        explanation: [
          ...problems,
          anySync
            ? '“Sync templates” rewrites these files from the templates; each agent keeps its token and its own USER.md / MEMORY.md.'
            : '',
          anyToken
            ? 'A token that differs is never fixed silently: “Rotate tokens & re-sync” issues new tokens, writes them into the workspaces, refuses the old ones at once, and waits for the agents to check in with the new ones.'
            : '',
        ]
          .filter(Boolean)
          .join(' '),
        evidence,
        fixes,
      };
    }
    if (unchecked.names.length && checked === 0)
      return {
        status: 'skipped',
        reason: `not checked: ${unchecked.names.join(', ')}`,
        explanation: 'No connected gateway to compare workspaces on.',
        evidence,
      };
    return {
      status: 'ok',
      explanation: checked
        ? `The workspace files and tokens of ${checked} agent(s) match what Mission Control writes.`
        : 'No agent on a connected gateway to check.',
      evidence,
    };
  },
};
