#!/usr/bin/env node
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { InstanceRunningError, PortInUseError, startBackend } from './index.js';
import { CliError, UsageError } from './cli/access.js';
import { doctorCommand } from './cli/doctor.js';
import { gatewaysCommand } from './cli/gateways.js';
import { templatesCommand } from './cli/templates.js';
import { describePortInUse } from './diagnostics/port.js';

const USAGE = `Usage: mission-control serve [options]
       mission-control templates sync --gateway-id ID [options]   (templates --help)
       mission-control gateways list [--json]
       mission-control doctor [--json] [--fix [--yes]] [--data-dir DIR]

Runs the Mission Control backend and UI headless on 127.0.0.1.

Options (each also as an environment variable):
  --data-dir DIR                 MC_DATA_DIR                  data folder (database, logs, token)
  --port N                       MC_PORT                      default 8000 (0 = any free port)
  --host HOST                    MC_HOST                      default 127.0.0.1
  --base-url URL                 MC_BASE_URL                  URL agents use to reach this API
  --checkin-deadline-seconds N   MC_CHECKIN_DEADLINE_SECONDS  default 30
  --max-wake-attempts N          MC_MAX_WAKE_ATTEMPTS         default 3
  --offline-after-seconds N      MC_OFFLINE_AFTER_SECONDS     silence before offline, default 600 (or 1.5 × heartbeat)
  --log-level LEVEL              MC_LOG_LEVEL                 fatal|error|warn|info|debug|trace|silent
  --log-max-mb N                 MC_LOG_MAX_MB                rotate the log file at N MiB, default 10
  --log-files N                  MC_LOG_FILES                 rotated log files kept, default 5
  --retention-days N             MC_RETENTION_DAYS            days of history kept in growing tables, default 30
  --allowed-host NAME            MC_ALLOWED_HOSTS             extra Host-header names (comma list in env)
  --gateway-min-version V        MC_GATEWAY_MIN_VERSION       oldest OpenClaw gateway accepted (2026.9.1)
                                 MC_LOCAL_AUTH_TOKEN          use this local token (≥ 50 chars)
`;

async function serve(args: string[]): Promise<void> {
  const config = loadConfig(args);
  const backend = await startBackend(config);
  const tokenFile = join(backend.dataDir, 'local-auth-token');
  process.stdout.write(
    [
      '',
      `  OpenClaw Mission Control is running: ${backend.url}`,
      '',
      `  Open this one-time sign-in link in your browser (it works once, within 15 minutes; after that paste the local token into the sign-in page):`,
      `    ${backend.issueLoginLink()}`,
      '',
      `  Scripts use the local token (kept in ${tokenFile}):`,
      `    curl -H "Authorization: Bearer $(cat '${tokenFile}')" ${backend.url}/api/v1/boards`,
      `  Agents use ${backend.config.baseUrl}/api/v1/agent/* with their X-Agent-Token.`,
      `  Logs: ${join(backend.dataDir, 'logs', 'mission-control.log')}    Stop: Ctrl+C`,
      '',
    ].join('\n') + '\n',
  );
  const shutdown = (signal: string) => {
    process.stdout.write(`\n  ${signal}: stopping…\n`);
    backend.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'serve') {
    await serve(rest);
    return -1; // keep running
  }
  if (command === 'doctor') return doctorCommand(rest, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  if (command.startsWith('--')) {
    await serve(argv);
    return -1;
  }
  if (command === 'templates') return templatesCommand(rest);
  if (command === 'gateways') return gatewaysCommand(rest);
  process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  async (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`mission-control: ${err.message}\n\n${err.usage ?? USAGE}`);
      process.exit(2);
    }
    if (err instanceof CliError) {
      process.stderr.write(`mission-control: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof PortInUseError) {
      // Who holds the port (where the OS tells) and a free one to use instead.
      process.stderr.write(`mission-control: ${(await describePortInUse(err.host, err.port)).message}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError || err instanceof InstanceRunningError) {
      process.stderr.write(`mission-control: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`mission-control: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
