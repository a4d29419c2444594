import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, release, type } from 'node:os';
import { join } from 'node:path';
import { desc } from 'drizzle-orm';
import { appVersion } from '../app-paths.js';
import type { DoctorReport, SupportBundleRead } from '../contract/diagnostics.js';
import { agentAuthFailures, agents, gateways, lifecycleEvents } from '../db/schema.js';
import { redactedDatabaseCopy } from './bundle-db.js';
import { gatewayLogTails } from './bundle-gateway-logs.js';
import { logFileOf } from './checks/runtime.js';
import { tarGz, type TarEntry } from './tar.js';
import type { AppEnv, CheckEnv } from './types.js';

/*
 * The seed's "Getting help" checklist as one archive: recent logs, the gateways' own log tails
 * (bundle-gateway-logs.ts), a consistent copy of the database with every secret removed
 * (bundle-db.ts), redacted config, a DB summary with every agent's ladder fields, versions/OS and the
 * doctor report. Secrets never go in: the config and the summary are built from allowlisted fields,
 * and every file is scrubbed of every secret the backend knows (local token, gateway tokens, device
 * tokens, agent token hashes and retired ones; raw and JSON-escaped, 4+ characters) plus
 * bearer/token-shaped values (any run of 40+ token characters) before it is written.
 */

const LOG_TAIL_BYTES = 2 * 1024 * 1024;
const REDACTED = '[redacted]';
const DB_NAME = 'mission-control.redacted.db';

function tail(file: string, bytes: number): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return '';
  }
  const start = Math.max(0, size - bytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
}

/** Every secret value this data dir and database hold. */
function knownSecrets(env: CheckEnv): string[] {
  const secrets = new Set<string>();
  if (env.config.localAuthToken) secrets.add(env.config.localAuthToken);
  try {
    secrets.add(readFileSync(join(env.dataDir, 'local-auth-token'), 'utf8').trim());
  } catch {
    // no token file yet
  }
  if (env.sqlite) {
    const values = (sql: string) => (env.sqlite!.prepare(sql).raw().all() as unknown[][]).flat();
    for (const v of [
      ...values('SELECT token, device_token FROM gateways'),
      // Hashes: a leaked hash is what a verifier compares against; none leaves the data folder.
      ...values('SELECT agent_token_hash FROM agents'),
      ...values('SELECT token_hash FROM retired_agent_tokens'),
    ]) {
      if (typeof v !== 'string') continue;
      secrets.add(v);
      // Gateway credentials are stored sealed in the desktop app: the plain value is what a log line could hold.
      const plain = env.app?.manager.credentials.tryOpen(v).value;
      if (plain) secrets.add(plain);
    }
  }
  return secretForms([...secrets]);
}

/** Shortest secret matched by value: shorter ones would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Each secret as it can appear in a file: raw, and escaped once or twice as a JSON string (the logs and
 * the report are JSON, and a log line can quote JSON), so a token holding `"` or `\` is found too.
 * Longest first, so a longer form is replaced before a shorter one cuts into it.
 */
export function secretForms(secrets: string[]): string[] {
  const escape = (s: string) => JSON.stringify(s).slice(1, -1);
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms
      .add(secret)
      .add(escape(secret))
      .add(escape(escape(secret)));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A gateway agent id Mission Control derives from a UUID (`mc-gateway-<uuid>`, `mc-<uuid>`, `lead-<uuid>`): not a secret. */
const AGENT_KEY = /^(?:mc-gateway-|mc-|lead-)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Known secrets, then anything shaped like a credential (bearer values, token fields). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return (
    out
      .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`)
      .replace(
        /("?(?:x-agent-token|auth_token|agent_token|device_token|deviceToken|token|password|secret)"?\s*[:=]\s*"?)[A-Za-z0-9._~+/=-]{8,}/gi,
        `$1${REDACTED}`,
      )
      .replace(/(AUTH_TOKEN=)\S+/g, `$1${REDACTED}`)
      // Anything shaped like a generated token (agent tokens are 43 base64url characters, the local
      // token 50+): agent tokens are stored only as hashes, so a leaked one cannot be matched by value.
      .replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g, (run) => (AGENT_KEY.test(run) ? run : REDACTED))
  );
}

function redactedConfig(env: CheckEnv) {
  const { localAuthToken, ...rest } = env.config;
  const gatewayRows = env.app
    ? env.app.services.ctx.db
        .select()
        .from(gateways)
        .all()
        .map((g) => ({
          id: g.id,
          name: g.name,
          url: g.url,
          has_token: g.token !== null,
          has_device_token: g.deviceToken !== null,
          workspace_root: g.workspaceRoot,
          allow_insecure_tls: g.allowInsecureTls,
          tls_fingerprint: g.tlsFingerprint,
          server_version: g.serverVersion,
          protocol_version: g.protocolVersion,
          last_connected_at: g.lastConnectedAt?.toISOString() ?? null,
          last_error: g.lastError,
        }))
    : [];
  return { config: { ...rest, localAuthToken: localAuthToken ? REDACTED : null }, gateways: gatewayRows };
}

function dbSummary(env: CheckEnv, app: AppEnv | null) {
  const sqlite = env.sqlite;
  if (!sqlite) return { error: env.dbError };
  const tables = (
    sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (sqlite.prepare(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }).n;
  const states = sqlite.prepare('SELECT status, count(*) AS n FROM agents GROUP BY status').all();
  if (!app) return { tables: counts, agent_states: states };
  const db = app.services.ctx.db;
  return {
    tables: counts,
    agent_states: states,
    agents: db
      .select()
      .from(agents)
      .all()
      .map((a) => ({
        id: a.id,
        name: a.name,
        status: a.status,
        board_id: a.boardId,
        gateway_id: a.gatewayId,
        is_board_lead: a.isBoardLead,
        last_seen_at: a.lastSeenAt?.toISOString() ?? null,
        wake_attempts: a.wakeAttempts,
        last_wake_sent_at: a.lastWakeSentAt?.toISOString() ?? null,
        checkin_deadline_at: a.checkinDeadlineAt?.toISOString() ?? null,
        provision_action: a.provisionAction,
        last_provision_error: a.lastProvisionError,
        lifecycle_generation: a.lifecycleGeneration,
        openclaw_session_id: a.openclawSessionId,
      })),
    recent_lifecycle_events: db
      .select()
      .from(lifecycleEvents)
      .orderBy(desc(lifecycleEvents.createdAt))
      .limit(200)
      .all()
      .map((e) => ({ at: e.createdAt.toISOString(), event: e.event, agent_id: e.agentId, message: e.message, data: e.data })),
    // Counts only: not even the 6-character token prefixes go into a bundle.
    recent_auth_failures: db
      .select()
      .from(agentAuthFailures)
      .orderBy(desc(agentAuthFailures.lastAt))
      .limit(100)
      .all()
      .map((f) => ({
        agent_id: f.agentId,
        reason: f.reason,
        count: f.count,
        first_at: f.firstAt.toISOString(),
        last_at: f.lastAt.toISOString(),
      })),
  };
}

function versions(env: CheckEnv) {
  return {
    mission_control: appVersion(),
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    sqlite: env.sqlite ? (env.sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v : null,
    os: { type: type(), platform: platform(), release: release(), arch: arch() },
    gateways: env.app
      ? env.app.services.ctx.db
          .select({ name: gateways.name, version: gateways.serverVersion, protocol: gateways.protocolVersion })
          .from(gateways)
          .all()
      : [],
  };
}

export async function writeSupportBundle(env: CheckEnv, report: DoctorReport): Promise<SupportBundleRead> {
  const secrets = knownSecrets(env);
  const clean = (text: string) => scrub(text, secrets);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const dir = join(env.dataDir, 'support');
  const database = env.sqlite ? await redactedDatabaseCopy(env.sqlite, dir, clean, secrets) : { error: `left out: ${env.dbError}` };
  const gatewayLogs = env.app ? await gatewayLogTails(env.app, env.now()) : [];
  const text: TarEntry[] = [
    {
      name: 'README.txt',
      content:
        'OpenClaw Mission Control support bundle.\n' +
        'doctor-report.json        every diagnostic check with its evidence\n' +
        'versions.json             app, Node, Electron, SQLite, OS and gateway versions\n' +
        'config.json               the configuration and gateways, secrets removed\n' +
        "db-summary.json           row counts, every agent's ladder fields, recent lifecycle events, auth failures (counts only)\n" +
        `database/${DB_NAME}  a copy of the database (SQLite online backup), tokens, hashes and keys removed` +
        ('error' in database ? ` — ${database.error}` : '') +
        '\n' +
        "gateway-logs/<id>.log     each connected gateway's own log tail (logs.tail), with when its agents were woken\n" +
        'logs/                     the end of the log file\n' +
        'No token, password or key is included.\n',
    },
    { name: 'doctor-report.json', content: json(report) },
    { name: 'versions.json', content: json(versions(env)) },
    { name: 'config.json', content: json(redactedConfig(env)) },
    {
      name: 'db-summary.json',
      content: json({
        ...dbSummary(env, env.app),
        database_copy: 'error' in database ? database.error : { redacted_columns: database.redacted_columns },
      }),
    },
    { name: 'logs/mission-control.log', content: tail(logFileOf(env.dataDir), LOG_TAIL_BYTES) },
    ...gatewayLogs,
  ].map((f) => ({ ...f, content: clean(String(f.content)) }));
  const files: TarEntry[] = 'error' in database ? text : [...text, { name: `database/${DB_NAME}`, content: database.bytes }];
  const archive = tarGz(files);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `mission-control-support-${env.now().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
  writeFileSync(path, archive, { mode: 0o600 });
  return { path, size_bytes: archive.length, sha256: createHash('sha256').update(archive).digest('hex'), files: files.map((f) => f.name) };
}
