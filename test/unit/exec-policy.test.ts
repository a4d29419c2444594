import { describe, expect, it } from 'vitest';
import { argPatternAllows, checkinArgPattern, judgeExecPolicy } from '../../backend/lifecycle/exec-policy.js';
import { checkinCommand } from '../../backend/templates/render.js';

/*
 * #13 item 5, the pure part: the pinned check-in entry matches exactly the command AGENTS.md tells the
 * agent to run, under the gateway's argPattern rules, and nothing else; and the verdict does not call a
 * broad curl entry fine. On the real gateway: test/integration/exec-policy.test.ts.
 */

const BASE = 'http://127.0.0.1:8000';
const TOKEN = 'Abc_-0123456789abcdefghijklmnopqrstuvwxyzAB'; // 43 base64url characters, like a real token

/** Splits a command as a POSIX shell would for these simple cases (double and single quotes). */
function argv(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
const argsOf = (command: string) => argv(command).slice(1);
const pinned = checkinArgPattern(BASE);

describe('the pinned check-in argPattern', () => {
  it('uses the gateway’s exact-argv form (NUL separators) and matches the command AGENTS.md renders, for any token', () => {
    expect(pinned).toContain('\u0000');
    expect(TOKEN).toHaveLength(43);
    expect(argPatternAllows(pinned, argsOf(checkinCommand(BASE, TOKEN)))).toBe(true);
    expect(argPatternAllows(pinned, argsOf(checkinCommand(BASE, 'Z'.repeat(43))))).toBe(true);
  });

  it.each([
    ['an extra upload', `${checkinCommand(BASE, TOKEN)} -d @/etc/passwd`],
    ['an output file', `curl -s -o /tmp/x -X POST ${BASE}/api/v1/agent/heartbeat -H "X-Agent-Token: ${TOKEN}"`],
    ['another URL', checkinCommand('http://198.51.100.1:8000', TOKEN)],
    ['another path', `curl -s -X POST ${BASE}/api/v1/agent/boards -H "X-Agent-Token: ${TOKEN}"`],
    ['a file URL', `curl -s file:///etc/passwd`],
    ['the header re-split into a second URL', `curl -s -X POST ${BASE}/api/v1/agent/heartbeat -H X-Agent-Token: ${TOKEN}`],
    ['a token of another shape', checkinCommand(BASE, `${TOKEN} -T /etc/passwd`)],
    ['a GET', `curl -s ${BASE}/api/v1/agent/heartbeat -H "X-Agent-Token: ${TOKEN}"`],
  ])('refuses %s', (_what, command) => {
    expect(argPatternAllows(pinned, argsOf(command))).toBe(false);
  });

  it('a base URL with regex characters is matched literally', () => {
    const base = 'http://mc.example:8000';
    expect(argPatternAllows(checkinArgPattern(base), argsOf(checkinCommand(base, TOKEN)))).toBe(true);
    expect(argPatternAllows(checkinArgPattern(base), argsOf(checkinCommand('http://mcXexample:8000', TOKEN)))).toBe(false);
  });
});

describe('the exec-policy verdict', () => {
  const allowlistMode = { tools: { exec: { mode: 'allowlist' } } };
  const doc = (agents: Record<string, unknown>) => ({ file: { version: 1, agents }, hash: 'h' });
  const judge = (config: unknown, agents: Record<string, unknown>) => judgeExecPolicy(config, doc(agents), 'mc-a', BASE);

  it('allowlist mode without the check-in: refused', () => {
    expect(judge(allowlistMode, {})).toMatchObject({ refused: true, reason: expect.stringContaining('check-in command is not on') });
    expect(judge(allowlistMode, { 'mc-a': { allowlist: [{ pattern: '/usr/bin/jq' }] } }).refused).toBe(true);
  });

  it('the pinned entry: runs, nothing broad', () => {
    expect(judge(allowlistMode, { 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl', argPattern: pinned }] } })).toEqual({
      refused: false,
      mode: 'allowlist',
      reason: null,
      broad: null,
    });
  });

  it('a pin for another base URL does not count (the app moved): refused', () => {
    const stale = checkinArgPattern('http://127.0.0.1:9000');
    expect(judge(allowlistMode, { 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl', argPattern: stale }] } }).refused).toBe(true);
  });

  it.each([
    [{ 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl' }] } }, { where: 'agent', pattern: '/usr/bin/curl', replaceable: true }],
    [{ 'mc-a': { allowlist: [{ pattern: 'curl' }] } }, { where: 'agent', pattern: 'curl', replaceable: true }],
    [{ 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl', argPattern: '.*' }] } }, { where: 'agent', replaceable: true }],
    [{ 'mc-a': { allowlist: [{ pattern: '/usr/**' }] } }, { where: 'agent', pattern: '/usr/**', replaceable: false }],
    [{ '*': { allowlist: [{ pattern: '/usr/bin/curl' }] } }, { where: 'all_agents', replaceable: false }],
  ])('a curl entry that lets any arguments through is reported as broad (%j)', (agents, broad) => {
    expect(judge(allowlistMode, agents)).toMatchObject({ refused: false, broad });
  });

  it('the pinned entry next to a broad one is still broad (the gateway falls back to the path-only entry)', () => {
    const agents = { 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl', argPattern: pinned }, { pattern: '/usr/bin/curl' }] } };
    expect(judge(allowlistMode, agents).broad).toMatchObject({ where: 'agent' });
  });

  it('unrestricted exec: nothing is refused and nothing is called broad (every command runs anyway); deny refuses', () => {
    expect(judge({}, { 'mc-a': { allowlist: [{ pattern: '/usr/bin/curl' }] } })).toMatchObject({ refused: false, broad: null });
    expect(judge({}, { 'mc-a': { security: 'deny' } })).toMatchObject({ refused: true });
    expect(judge({}, { '*': { security: 'allowlist' } })).toMatchObject({ refused: true });
  });
});
