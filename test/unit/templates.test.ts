import { describe, expect, it } from 'vitest';
import {
  MAX_FILE_CHARS,
  renderCustom,
  renderTemplate,
  renderWorkspace,
  tokenFromAgentsFile,
  type AgentRole,
  type TemplateContext,
} from '../../backend/templates/render.js';

const context = (role: AgentRole): TemplateContext => ({
  agent_name: 'Scout',
  agent_id: '11111111-1111-4111-8111-111111111111',
  board_id: role === 'main' ? '' : '22222222-2222-4222-8222-222222222222',
  board_name: role === 'main' ? '' : 'Launch',
  board_objective: role === 'main' ? '' : 'Ship the launch',
  role,
  base_url: 'http://localhost:8000',
  auth_token: 'tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  session_key: 'agent:mc-x:main',
  checkin_deadline_seconds: 30,
  max_wake_attempts: 3,
  user_name: 'Local User',
  identity: { role: 'Generalist', communication_style: 'direct', emoji: ':gear:' },
  rules: { require_approval_for_done: 'yes', require_review_before_done: 'no', comment_required_for_review: 'no', max_agents: 1 },
});

describe('workspace templates', () => {
  for (const role of ['main', 'lead', 'worker'] as const) {
    it(`${role}: every file renders, fits the gateway's limit, leaves no placeholder`, () => {
      const files = renderWorkspace(context(role), { bootstrap: true });
      expect([...files.keys()]).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'BOOTSTRAP.md', 'MEMORY.md']);
      for (const [name, text] of files) {
        expect(text.length, name).toBeLessThanOrEqual(MAX_FILE_CHARS);
        expect(text, name).not.toMatch(/\{\{|\}\}|undefined|\[object Object\]/);
      }
      const agents = files.get('AGENTS.md') ?? '';
      expect(agents).toContain(
        'curl -s -X POST http://localhost:8000/api/v1/agent/heartbeat -H "X-Agent-Token: tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"',
      );
      expect(agents).toContain(`agent-${role}`);
      expect(tokenFromAgentsFile(agents)).toBe('tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
      expect(renderTemplate('HEARTBEAT.md', context(role))).toContain('/api/v1/agent/heartbeat');
    });
  }

  it('only the right role section is present', () => {
    const lead = renderTemplate('AGENTS.md', context('lead'));
    expect(lead).toContain('lead of the board “Launch”');
    expect(lead).not.toContain('worker on the board');
    const worker = renderTemplate('AGENTS.md', context('worker'));
    expect(worker).toContain('worker on the board “Launch”');
    expect(worker).not.toContain('lead of the board');
  });

  it('bootstrap only when asked', () => {
    expect(renderWorkspace(context('worker'), { bootstrap: false }).has('BOOTSTRAP.md')).toBe(false);
  });

  it('strict: an unknown variable in a custom template is an error, not an empty string', () => {
    expect(() => renderCustom('Hello {{no_such_thing}}', context('worker'))).toThrow(/no_such_thing/);
    expect(renderCustom('Hello {{agent_name}}', context('worker'))).toBe('Hello Scout\n');
  });

  it('a custom template over the size limit is refused', () => {
    expect(() => renderCustom('x'.repeat(MAX_FILE_CHARS + 1), context('worker'))).toThrow(/20000/);
  });
});
