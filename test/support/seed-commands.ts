import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The seed guides' API commands as a user would paste them: every `curl` to the guide's
 * `http://localhost:8000`, with its `\` continuation lines (a trailing `| jq …` included), read from
 * verbatim copies of the seed documents in test/fixtures/seed/.
 */
export const SEED_FILES = ['troubleshooting.txt', 'gateway-agent-provisioning.txt'] as const;

export interface SeedCommand {
  file: string;
  line: number;
  text: string;
}

export function extractSeedCommands(text: string, file: string): SeedCommand[] {
  const lines = text.split('\n');
  const out: SeedCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^curl\b.*localhost:8000/.test(lines[i]!)) continue;
    const start = i;
    const parts = [lines[i]!];
    while (parts[parts.length - 1]!.trimEnd().endsWith('\\') && i + 1 < lines.length) parts.push(lines[++i]!);
    out.push({ file, line: start + 1, text: parts.join('\n') });
  }
  return out;
}

export function seedCommands(dir = join(import.meta.dirname, '..', 'fixtures', 'seed')): SeedCommand[] {
  return SEED_FILES.flatMap((f) => extractSeedCommands(readFileSync(join(dir, f), 'utf8'), f));
}

/**
 * Only what the guides leave as placeholders: their host (`http://localhost:8000`, where the app
 * under test listens elsewhere) and the words they tell the reader to replace (`GATEWAY_ID`,
 * `YOUR_LOCAL_AUTH_TOKEN`). `$TOKEN` and `$GATEWAY_ID` stay shell variables, set in the environment.
 */
export function fillPlaceholders(command: string, values: { baseUrl: string; token: string; gatewayId: string }): string {
  return command
    .replaceAll('http://localhost:8000', values.baseUrl)
    .replace(/(?<![$\w])GATEWAY_ID\b/g, values.gatewayId)
    .replace(/\bYOUR_LOCAL_AUTH_TOKEN\b/g, values.token);
}
