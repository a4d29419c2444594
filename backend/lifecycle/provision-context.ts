import type { AgentRow, BoardRow } from '../db/schema.js';
import type { ServiceContext } from '../core/context.js';
import { renderWorkspace, type AgentRole, type TemplateContext } from '../templates/render.js';

/*
 * What an agent's workspace files are rendered from: the agent, its board, the board's rules, the
 * check-in policy and the token. Pure: the provisioner writes the result, template sync and the
 * drift read compare against it.
 */

export const roleOf = (agent: AgentRow): AgentRole => (agent.boardId === null ? 'main' : agent.isBoardLead ? 'lead' : 'worker');

export function templateContext(
  agent: AgentRow,
  board: BoardRow | null,
  token: string,
  env: { baseUrl: string; policy: ServiceContext['policy'] },
): TemplateContext {
  const yes = (v: boolean) => (v ? 'yes' : 'no');
  const profile = agent.identityProfile ?? {};
  return {
    agent_name: agent.name,
    agent_id: agent.id,
    board_id: board?.id ?? '',
    board_name: board?.name ?? '',
    board_objective: board?.objective ?? board?.description ?? '',
    role: roleOf(agent),
    base_url: env.baseUrl,
    auth_token: token,
    session_key: agent.openclawSessionId ?? '',
    checkin_deadline_seconds: Math.round(env.policy.checkinDeadlineMs / 1000),
    max_wake_attempts: env.policy.maxWakeAttempts,
    user_name: 'the local user',
    identity: {
      role: profile.role ?? 'Generalist',
      communication_style: profile.communication_style ?? 'direct, concise, practical',
      emoji: profile.emoji ?? ':gear:',
    },
    rules: {
      require_approval_for_done: yes(board?.requireApprovalForDone ?? false),
      require_review_before_done: yes(board?.requireReviewBeforeDone ?? false),
      comment_required_for_review: yes(board?.commentRequiredForReview ?? false),
      max_agents: board?.maxAgents ?? 0,
    },
  };
}

/** What an update writes (no BOOTSTRAP.md): what the drift read compares with and the remembered drift fingerprints. */
export const expectedFiles = (agent: AgentRow, context: TemplateContext) =>
  renderWorkspace(context, { bootstrap: false, soulTemplate: agent.soulTemplate, identityTemplate: agent.identityTemplate });
