import { ACCESS_FLAGS, openCliBackend, parseFlags, UsageError, withBackend } from './access.js';

const GATEWAYS_USAGE = `Usage: mission-control gateways list [--json] [--data-dir DIR]

Lists the gateways (id, name, URL, version, connection state) — the ids \`templates sync\` takes.
Through the running app's API when it runs, else read from the data dir.
`;

/** `mission-control gateways list [--json]`. */
export async function gatewaysCommand(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(GATEWAYS_USAGE);
    return 0;
  }
  if (sub !== 'list')
    throw new UsageError(sub === undefined ? 'A command is required.' : `Unknown command 'gateways ${sub}'.`, GATEWAYS_USAGE);
  const flags = parseFlags(args, { ...ACCESS_FLAGS, json: { type: 'boolean', default: false } }, GATEWAYS_USAGE);
  const backend = openCliBackend(flags, 'mission-control gateways list');
  const items = await withBackend(backend, (b) => b.listGateways());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) process.stdout.write('No gateways.\n');
  for (const g of items) {
    const state = g.last_error ? `error: ${g.last_error.message}` : g.connection_state;
    process.stdout.write(`${g.id}  ${g.name}  ${g.url}  ${g.server_version ?? 'version unknown'}  ${state}\n`);
  }
  return 0;
}
