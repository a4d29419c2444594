import type { TemplateSyncQuery, TemplateSyncResult } from '../contract/templates.js';
import { ACCESS_FLAGS, CliError, openCliBackend, parseFlags, UsageError, withBackend } from './access.js';

export const TEMPLATES_USAGE = `Usage: mission-control templates sync --gateway-id ID [options]

Re-renders every agent's workspace files on the gateway (the web edition's template sync). Each
agent's AUTH_TOKEN is read from its workspace and compared with Mission Control's; a mismatch is
reported (exit 1), and re-keyed only with --rotate-tokens.

Options:
  --gateway-id ID        the gateway (see \`mission-control gateways list\`)
  --board-id ID          only this board's agents (and the main agent unless --no-include-main)
  --rotate-tokens        mint a new token for every synced agent, write it, retire the old one
  --overwrite            also replace the agent's own files (USER.md, MEMORY.md)
  --reset-sessions       start each agent's session afresh
  --lead-only            only board leads
  --no-include-main      leave the gateway's main agent out
  --force-bootstrap      write BOOTSTRAP.md again
  --verify               wake the synced agents and wait for each to check in (needs the app running)
  --json                 print the result as JSON
  --data-dir DIR         MC_DATA_DIR; with the app running, its API is used (else the data dir itself)
  --base-url URL         MC_BASE_URL; app not running: what agents are told (default: the URL the
                         app last told them, from <data dir>/app-settings.json; a different one
                         needs --force)
  --force                accept a --base-url that differs from the app's last one
  --port N               MC_PORT; only to derive the default base URL

Exit status: 0 when every agent synced, 1 when any error was reported, 2 for bad usage.
`;

const SYNC_FLAGS = {
  ...ACCESS_FLAGS,
  'gateway-id': { type: 'string' },
  'board-id': { type: 'string' },
  'rotate-tokens': { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  'reset-sessions': { type: 'boolean', default: false },
  'lead-only': { type: 'boolean', default: false },
  'include-main': { type: 'boolean', default: true },
  'no-include-main': { type: 'boolean', default: false },
  'force-bootstrap': { type: 'boolean', default: false },
  verify: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const MARK = { updated: '✓', skipped: '–', failed: '✗' } as const;

/** The result for people: one line per agent, then the totals and every error. */
export function formatSyncResult(result: TemplateSyncResult, where: string): string {
  const lines = [`Template sync on gateway ${result.gateway_id} (through ${where})`];
  for (const agent of result.agents) {
    const who = `${agent.agent_name}${agent.is_main ? ' (main agent)' : agent.is_board_lead ? ' (lead)' : ''}`;
    const parts: string[] = [agent.outcome];
    if (agent.token === 'mismatch') parts.push('token differed');
    if (agent.token === 'missing') parts.push('no token in its workspace');
    if (agent.token_rotated) parts.push('token rotated');
    if (agent.files_written.length) parts.push(`wrote ${agent.files_written.join(', ')}`);
    if (agent.files_kept.length) parts.push(`kept ${agent.files_kept.join(', ')} (--overwrite replaces them)`);
    if (agent.verify) parts.push(agent.verify.checked_in ? 'checked in with its new token' : 'did not check in in time');
    if (agent.reason && agent.outcome !== 'updated') parts.push(agent.reason);
    lines.push(`  ${MARK[agent.outcome]} ${who}: ${parts.join('; ')}`);
  }
  if (result.agents.length === 0) lines.push('  (no agents to sync)');
  if (result.paused_board_ids.length)
    lines.push(
      `Paused boards (/pause in chat) ${result.rotate_tokens ? 're-keyed only' : 'skipped'}: ${result.paused_board_ids.join(', ')}`,
    );
  lines.push(
    `Agents updated: ${result.agents_updated}, skipped: ${result.agents_skipped}, main agent updated: ${result.main_updated ? 'yes' : 'no'}, errors: ${result.errors.length}`,
  );
  for (const error of result.errors) lines.push(`  error: ${error.agent_name ?? error.agent_id ?? 'gateway'}: ${error.message}`);
  return `${lines.join('\n')}\n`;
}

/** `mission-control templates sync …`; returns the exit status. */
export async function templatesCommand(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(TEMPLATES_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'sync') throw new UsageError(`Unknown command 'templates ${sub}'.`, TEMPLATES_USAGE);
  const flags = parseFlags(args, SYNC_FLAGS, TEMPLATES_USAGE);
  if (flags.help) {
    process.stdout.write(TEMPLATES_USAGE);
    return 0;
  }
  const gatewayId = flags['gateway-id'];
  if (!gatewayId) throw new UsageError('--gateway-id is required.', TEMPLATES_USAGE);
  const query: TemplateSyncQuery = {
    include_main: flags['include-main'] && !flags['no-include-main'],
    lead_only: flags['lead-only'],
    reset_sessions: flags['reset-sessions'],
    rotate_tokens: flags['rotate-tokens'],
    force_bootstrap: flags['force-bootstrap'],
    overwrite: flags.overwrite,
    verify: flags.verify,
    ...(flags['board-id'] === undefined ? {} : { board_id: flags['board-id'] }),
  };
  const backend = openCliBackend(flags, 'mission-control templates sync', { force: flags.force });
  if (backend.mode === 'direct' && query.verify) {
    await backend.close();
    throw new CliError('--verify needs the app running: agents check in through its API. Start it, or leave out --verify.');
  }
  const result = await withBackend(backend, (b) => b.syncTemplates(gatewayId, query));
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatSyncResult(result, backend.where));
  return result.errors.length > 0 ? 1 : 0;
}
