import { describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';

/*
 * #16: `POST /api/v1/agent/boards/{board_id}/onboarding` with the web edition's two bodies (a question
 * with options; the completed draft), only from the gateway main agent of the board's gateway.
 */

const api = useTestApi();

async function setup() {
  const f = fixtures(api);
  const gateway = await f.gateway();
  const board = await f.board({ gateway_id: gateway.id });
  const main = await f.tokenFor(gateway.main_agent_id);
  return { f, board, main };
}

describe('board onboarding (gateway main agent)', () => {
  it('questions append to the session; "complete" stores the draft and completes it; the user reads it', async () => {
    const { board, main } = await setup();
    const path = `/api/v1/agent/boards/${board.id}/onboarding`;
    await api.user('get', `/api/v1/boards/${board.id}/onboarding`).expect(404);
    const asked = (
      await api
        .agent(main, 'post', path)
        // An unknown key inside one branch of the two bodies is dropped too (lenient-body.ts, unions).
        .send({ question: 'What should this board deliver first?', options: [{ id: '1', label: 'A release' }], multi_select: false })
        .expect(200)
    ).body;
    expect(asked).toMatchObject({ board_id: board.id, status: 'active', draft_goal: null });
    expect(asked.messages).toHaveLength(1);
    const done = (
      await api
        .agent(main, 'post', path)
        .send({
          status: 'complete',
          board_type: 'goal',
          objective: 'Ship 2.0',
          target_date: '2026-12-31T17:00:00',
          lead_agent: { name: 'Ava', autonomy_level: 'balanced', identity_profile: { skills: ['planning', 'review'] } },
        })
        .expect(200)
    ).body;
    expect(done).toMatchObject({ status: 'completed', draft_goal: { objective: 'Ship 2.0', target_date: '2026-12-31T17:00:00Z' } });
    expect(done.draft_goal.lead_agent.identity_profile).toEqual({ skills: 'planning, review' });
    expect((await api.user('get', `/api/v1/boards/${board.id}/onboarding`).expect(200)).body.messages).toHaveLength(2);
  });

  it('a board agent, or the main agent of another gateway, is refused with the web edition’s words; a bad body names its field', async () => {
    const { f, board, main } = await setup();
    const lead = await f.agent(board.id, { is_board_lead: true });
    const other = await setup();
    const body = { question: 'Q?', options: [{ id: '1', label: 'A' }] };
    const byLead = await api.agent(lead.token, 'post', `/api/v1/agent/boards/${board.id}/onboarding`).send(body).expect(403);
    expect(JSON.stringify(byLead.body.detail)).toContain('Only the dedicated gateway agent may call this endpoint.');
    await api.agent(other.main, 'post', `/api/v1/agent/boards/${board.id}/onboarding`).send(body).expect(403);
    const bad = await api
      .agent(main, 'post', `/api/v1/agent/boards/${board.id}/onboarding`)
      .send({ question: 'Q?', options: [] })
      .expect(422);
    expect(JSON.stringify(bad.body.detail)).toContain('options');
    await api.user('get', `/api/v1/boards/${board.id}/onboarding`).expect(404);
  });
});
