import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, useTestApi } from '../support/api.js';
import { CURL_FIXTURE, runBash } from './web-edition-walk.js';

/*
 * #16: the discovery commands the web edition's templates teach agents (curl + jq over /openapi.json),
 * run as written with the real jq against the served document. Each must exit 0 and list the role's
 * operations with their hints: a hint given as a string where the web edition gives an array makes
 * `join(" | ")` fail, and an operation without `description` prints an empty column.
 */

const api = useTestApi();
let dir: string;
let token: string;
const jq = await runBash('command -v jq', tmpdir(), {});
const jqVersion = (await runBash('jq --version', tmpdir(), {})).stdout.trim();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-discovery-'));
  mkdirSync(join(dir, 'api'));
  const f = fixtures(api);
  token = (await f.agent((await f.board()).id)).token;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (command: string, roleTag: string) =>
  command.replaceAll('{{ base_url }}', api.url).replaceAll('{{ auth_token }}', token).replaceAll('{{ role_tag }}', roleTag);
const columns = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));

describe.skipIf(!jq.ok)('the web edition templates’ OpenAPI discovery, run with jq', () => {
  if (!jq.ok) console.warn('SKIP web-edition discovery: jq is not installed (.ci/run installs it on Debian)');
  const [heartbeat, tools, readme] = CURL_FIXTURE.discovery;

  it(`${heartbeat!.at}: agent-main operations with summary and the description's first line`, async () => {
    const run = await runBash(render(heartbeat!.command, 'agent-main'), dir, {});
    expect(run.stderr).toBe('');
    expect(run.ok).toBe(true);
    const rows = columns(run.stdout);
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toContain('POST /api/v1/agent/heartbeat');
    for (const row of rows) {
      expect(row[2], row.join(' ')).not.toBe('');
      expect(row[3], `description of ${row[0]} ${row[1]}`).not.toBe('');
    }
  });

  it.each(['agent-main', 'agent-lead', 'agent-worker'])(`${tools!.at} for %s: every column filled, hints joined`, async (role) => {
    let run = await runBash(render(tools!.command, role), dir, {});
    if (/compile error/.test(run.stderr)) {
      // The template escapes quotes inside a jq interpolation (`\"x-llm-intent\"`), which jq 1.6 (Debian's)
      // refuses before reading any document: the web edition's own command fails there too. The same
      // filter with plain quotes is what jq 1.7 reads, so that is what runs here (docs/compatibility.md).
      console.warn(`${tools!.at}: jq ${jqVersion} refuses the template's \\" escapes; running it with plain quotes`);
      run = await runBash(render(tools!.command.replaceAll('\\"', '"'), role), dir, {});
    }
    expect(run.stderr).toBe('');
    expect(run.ok).toBe(true);
    const rows = columns(readFileSync(join(dir, 'api', `${role}-operations.tsv`), 'utf8'));
    expect(rows.length).toBeGreaterThan(2);
    for (const [method, path, operationId, intent, whenToUse, routing] of rows) {
      const label = `${method} ${path}`;
      expect(operationId, label).not.toBe('-');
      expect(intent, label).not.toBe('-');
      expect(whenToUse, label).not.toBe('');
      expect(routing, label).not.toBe('');
    }
  });

  it(`${readme!.at}: lead operations by operationId`, async () => {
    const run = await runBash(readme!.command, dir, { BASE_URL: api.url });
    expect(run.ok).toBe(true);
    expect(run.stdout).toMatch(/^POST\t\/api\/v1\/agent\/boards\/\{board_id\}\/tasks\tagent_create_task$/m);
  });
});
