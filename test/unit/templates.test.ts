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
import { templateContext } from '../support/template-context.js';

const context = (role: AgentRole): TemplateContext => {
  const base = templateContext('tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
  return {
    ...base,
    role,
    board_objective: 'Ship the launch',
    rules: { ...base.rules, require_approval_for_done: 'yes' },
    ...(role === 'main' && { board_id: '', board_name: '', board_objective: '' }),
  };
};

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
