import { describe, expect, it } from 'vitest';
import type { TemplateSyncQuery } from '../../backend/contract/templates.js';
import type { AgentRow } from '../../backend/db/schema.js';
import { PAUSED_REKEYED, PAUSED_SKIPPED, planAgentSync } from '../../backend/lifecycle/sync-scope.js';

/* What a template sync does with an agent of a paused board (#13 item 1): skipped, except that a rotation re-keys it. */

const options: TemplateSyncQuery = {
  include_main: true,
  lead_only: false,
  reset_sessions: true,
  rotate_tokens: false,
  force_bootstrap: true,
  overwrite: true,
  verify: true,
};
const agent = (boardId: string | null) => ({ id: 'a', boardId }) as AgentRow;
const paused = new Set(['p']);

describe('planAgentSync', () => {
  it('an agent of an active board, or the main agent, gets the sync as asked', () => {
    expect(planAgentSync(agent('q'), paused, options)).toEqual({ kind: 'sync', options, note: null });
    expect(planAgentSync(agent(null), paused, { ...options, rotate_tokens: true })).toMatchObject({
      kind: 'sync',
      options: { reset_sessions: true },
    });
  });

  it('a paused board’s agent is skipped by a plain sync', () => {
    expect(planAgentSync(agent('p'), paused, options)).toEqual({ kind: 'skip', reason: PAUSED_SKIPPED });
  });

  it('with rotate_tokens it is re-keyed: no overwrite, no session reset, no forced bootstrap; verify as asked', () => {
    expect(planAgentSync(agent('p'), paused, { ...options, rotate_tokens: true })).toEqual({
      kind: 'sync',
      note: PAUSED_REKEYED,
      options: { ...options, rotate_tokens: true, overwrite: false, reset_sessions: false, force_bootstrap: false },
    });
  });
});
