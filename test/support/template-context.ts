import type { TemplateContext } from '../../backend/templates/render.js';

/** A worker's template context with `token` as its AUTH_TOKEN (template tests and the drift benchmark). */
export const templateContext = (token: string): TemplateContext => ({
  agent_name: 'Scout',
  agent_id: '11111111-1111-4111-8111-111111111111',
  board_id: '22222222-2222-4222-8222-222222222222',
  board_name: 'Launch',
  board_objective: 'Ship it',
  role: 'worker',
  base_url: 'http://localhost:8000',
  auth_token: token,
  session_key: 'agent:mc-x:main',
  checkin_deadline_seconds: 30,
  max_wake_attempts: 3,
  user_name: 'Local User',
  identity: { role: 'Generalist', communication_style: 'direct', emoji: ':gear:' },
  rules: { require_approval_for_done: 'no', require_review_before_done: 'no', comment_required_for_review: 'no', max_agents: 1 },
});
