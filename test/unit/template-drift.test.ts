import { describe, expect, it } from 'vitest';
import { fileDrift } from '../../backend/lifecycle/file-drift.js';
import { unifiedDiff } from '../../backend/lifecycle/unified-diff.js';
import { REDACTED, redactTokens, renderTemplate, tokenFromAgentsFile } from '../../backend/templates/render.js';
import { templateContext } from '../support/template-context.js';

const TOKEN = 'Zq3xY9-abcdefghijklmnopqrstuvwxyz0123456789A';
const OTHER = 'Pp0_other-token-0123456789abcdefghijklmnopqr';

const context = templateContext;

describe('reading the token back from AGENTS.md', () => {
  it('reads the token our rendered template writes, for every role', () => {
    for (const role of ['main', 'lead', 'worker'] as const) {
      expect(tokenFromAgentsFile(renderTemplate('AGENTS.md', { ...context(TOKEN), role }))).toBe(TOKEN);
    }
  });

  it('reads hand-edited and web-edition forms, and nothing from a file without the line', () => {
    expect(tokenFromAgentsFile(`x\r\n- AUTH_TOKEN=${TOKEN}\r\ny`)).toBe(TOKEN);
    expect(tokenFromAgentsFile(`- \`AUTH_TOKEN=${TOKEN}\``)).toBe(TOKEN); // the web edition's TOOLS.md line
    expect(tokenFromAgentsFile(`  AUTH_TOKEN=${TOKEN}  `)).toBe(TOKEN);
    // Quotes are not part of the token (read with them, a valid token would be reported as a mismatch).
    expect(tokenFromAgentsFile(`- AUTH_TOKEN="${TOKEN}"`)).toBe(TOKEN);
    expect(tokenFromAgentsFile(`export AUTH_TOKEN='${TOKEN}'`)).toBe(TOKEN);
    expect(tokenFromAgentsFile(`AUTH_TOKEN = ${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromAgentsFile(`AUTH_TOKEN="${TOKEN}'`)).toBeNull(); // unbalanced quotes are not a token line
    expect(tokenFromAgentsFile('Send the header `X-Agent-Token: <AUTH_TOKEN>`')).toBeNull();
    expect(tokenFromAgentsFile('- AUTH_TOKEN=')).toBeNull();
    expect(tokenFromAgentsFile('# no token here')).toBeNull();
  });
});

describe('redaction', () => {
  it('takes every token out of a rendered AGENTS.md (the access line and the check-in command)', () => {
    const file = renderTemplate('AGENTS.md', context(TOKEN));
    expect(file.split(TOKEN).length - 1).toBe(2);
    const redacted = redactTokens(file);
    expect(redacted).not.toContain(TOKEN);
    expect(redacted).toContain(`- AUTH_TOKEN=${REDACTED}`);
    expect(redacted).toContain(`-H "X-Agent-Token: ${REDACTED}"`);
  });

  it('removes a known token wherever it appears, also outside the usual lines', () => {
    expect(redactTokens(`note: my token is ${TOKEN}.`, [TOKEN])).toBe(`note: my token is ${REDACTED}.`);
    expect(redactTokens('curl -H "Authorization: Bearer abc.def"')).toBe(`curl -H "Authorization: Bearer ${REDACTED}"`);
  });

  it('takes the value out of every hand-written form of a token line, quoted or not', () => {
    const forms: [string, string][] = [
      [`AUTH_TOKEN = ${TOKEN}`, `AUTH_TOKEN = ${REDACTED}`],
      [`export AUTH_TOKEN='${TOKEN}'`, `export AUTH_TOKEN='${REDACTED}'`],
      [`AUTH_TOKEN="${TOKEN}"`, `AUTH_TOKEN="${REDACTED}"`],
      [`X-Agent-Token: "${TOKEN}"`, `X-Agent-Token: "${REDACTED}"`],
      [`X-Agent-Token=${TOKEN}`, `X-Agent-Token=${REDACTED}`],
      [`x-agent-token:${TOKEN}`, `x-agent-token:${REDACTED}`],
      [`auth_token: ${TOKEN}`, `auth_token: ${REDACTED}`],
      [`{"auth_token": "${TOKEN}"}`, `{"auth_token": "${REDACTED}"}`],
      [`gateway_token=short-secret`, `gateway_token=${REDACTED}`],
      [`Authorization: Bearer ${TOKEN}`, `Authorization: Bearer ${REDACTED}`],
    ];
    for (const [input, output] of forms) expect(redactTokens(input)).toBe(output);
  });

  it('takes out anything token-shaped, wherever it is (an agent token or the local token pasted into MEMORY.md)', () => {
    const local = 'aB3'.repeat(28) + 'xY'; // 86 characters, like the local token
    const memory = `# Memory\n- the API key I was given: ${TOKEN}\n- backup (${local}), and ${OTHER}.\n`;
    const redacted = redactTokens(memory);
    expect(redacted).toBe(`# Memory\n- the API key I was given: ${REDACTED}\n- backup (${REDACTED}), and ${REDACTED}.\n`);
    // A hex secret (lower case and digits) too.
    expect(redactTokens(`gw ${'0123456789abcdef'.repeat(3)}`)).toBe(`gw ${REDACTED}`);
  });

  it('leaves placeholders, prose, rules and identifiers alone', () => {
    const keep = [
      'Send the header `X-Agent-Token: <AUTH_TOKEN>` on every call.',
      'curl -H "X-Agent-Token: $AUTH_TOKEN" and ${AUTH_TOKEN} and {{auth_token}}',
      'If it answers 401, your token is out of date: say so.',
      'max_tokens: 4000',
      '----------------------------------------------------------------',
      'AGENT_ID=11111111-1111-4111-8111-111111111111',
      'a_very_long_snake_case_identifier_that_has_no_secret_in_it',
      `AUTH_TOKEN=${REDACTED}`,
    ];
    for (const line of keep) expect(redactTokens(line)).toBe(line);
  });
});

describe('unified diff', () => {
  it('is null for equal texts and a diff -u hunk otherwise', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { a: 'x', b: 'y' })).toBeNull();
    expect(unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nFIVE\n6\n7\n8\n', { a: 'gateway/F', b: 'template/F' })).toBe(
      ['--- gateway/F', '+++ template/F', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+FIVE', ' 6', ' 7', ' 8', ''].join('\n'),
    );
  });

  it('handles insertions, deletions, empty sides and separate hunks', () => {
    expect(unifiedDiff('', 'a\nb\n', { a: '/dev/null', b: 'F' })).toBe('--- /dev/null\n+++ F\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\nb\n', '', { a: 'F', b: 'G' })).toBe('--- F\n+++ G\n@@ -1,2 +0,0 @@\n-a\n-b\n');
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = [...a];
    b[1] = 'changed 2';
    b.splice(15, 0, 'inserted');
    const diff = unifiedDiff(`${a.join('\n')}\n`, `${b.join('\n')}\n`, { a: 'a', b: 'b' }) ?? '';
    expect(diff.match(/^@@ /gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n line 3');
    expect(diff).toContain('@@ -13,6 +13,7 @@\n line 13\n line 14\n line 15\n+inserted\n line 16');
  });

  it('says so when only line endings differ', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', { a: 'x', b: 'y' })).toMatch(/whitespace only/);
  });
});

describe('file drift', () => {
  const expected = renderTemplate('AGENTS.md', context(REDACTED));

  it('the right token is not a difference, and no token is ever in the diff', () => {
    const onGateway = renderTemplate('AGENTS.md', context(TOKEN));
    expect(fileDrift('AGENTS.md', { state: 'present', content: onGateway }, expected, TOKEN)).toMatchObject({
      status: 'in_sync',
      diff: null,
    });
    // A different (drifted) token is also not shown as a diff of the secret: the token field says it.
    const other = renderTemplate('AGENTS.md', context(OTHER));
    expect(fileDrift('AGENTS.md', { state: 'present', content: other }, expected, OTHER).status).toBe('in_sync');
  });

  it('an edited file is drifted with a redacted diff back to the template', () => {
    const edited = renderTemplate('AGENTS.md', context(TOKEN)).replace('## Board chat', `## Board chat (edited, ${TOKEN})`);
    const drift = fileDrift('AGENTS.md', { state: 'present', content: edited }, expected, TOKEN);
    expect(drift.status).toBe('drifted');
    expect(drift.diff).toContain(`-## Board chat (edited, ${REDACTED})`);
    expect(drift.diff).toContain('+## Board chat');
    expect(drift.diff).not.toContain(TOKEN);
  });

  it('a token the agent wrote into its own MEMORY.md, in any form, is not in the diff', () => {
    const memory = `# Memory\n- export AUTH_TOKEN='${OTHER}'\n- X-Agent-Token: "${OTHER}"\n- and plain: ${TOKEN}\n`;
    const drift = fileDrift('MEMORY.md', { state: 'present', content: memory }, '# Memory\n', TOKEN);
    expect(drift.status).toBe('drifted');
    expect(drift.diff).not.toContain(OTHER);
    expect(drift.diff).not.toContain(TOKEN);
    expect(drift.diff).toContain(`-- export AUTH_TOKEN='${REDACTED}'`);
  });

  it('missing, unsupported and preserved files', () => {
    expect(fileDrift('SOUL.md', { state: 'missing' }, 'soul\n', null)).toMatchObject({
      status: 'missing',
      diff: expect.stringContaining('+soul'),
    });
    expect(fileDrift('SOUL.md', { state: 'unsupported', detail: 'unsupported file "SOUL.md"' }, 'x\n', null).status).toBe('unsupported');
    expect(fileDrift('MEMORY.md', { state: 'present', content: 'mine\n' }, 'template\n', null)).toMatchObject({
      status: 'drifted',
      preserved: true,
      note: expect.stringContaining('overwrite=true'),
    });
  });
});
