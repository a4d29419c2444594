import type { AgentRead } from '../../backend/contract/agents.js';

/* Records as the renderer receives them from the API, for the renderer's pure logic tests. */

/** The fixed "now" of the renderer logic tests. */
export const NOW = Date.parse('2026-11-21T12:00:00.000Z');
/** An ISO time `offsetMs` from NOW. */
export const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

/** An AgentRead with defaults (a freshly created agent), overridden field by field. */
export const agentRecord = (over: Partial<AgentRead>): AgentRead => ({
  id: '00000000-0000-4000-8000-00000000000a',
  board_id: null,
  gateway_id: '00000000-0000-4000-8000-00000000000b',
  name: 'Agent',
  status: 'provisioning',
  openclaw_session_id: null,
  heartbeat_config: null,
  identity_profile: null,
  identity_template: null,
  soul_template: null,
  provision_requested_at: null,
  provision_action: null,
  last_seen_at: null,
  is_board_lead: false,
  is_gateway_main: false,
  wake_attempts: 0,
  last_wake_sent_at: null,
  checkin_deadline_at: null,
  last_provision_error: null,
  lifecycle_generation: 0,
  has_token: true,
  created_at: iso(0),
  updated_at: iso(0),
  ...over,
});
