import { and, eq, ne } from 'drizzle-orm';
import type { DoctorFix } from '../../contract/diagnostics.js';
import { agents, gateways, type GatewayRow } from '../../db/schema.js';
import { GatewayError, type PeerCertificateInfo } from '../../gateway/errors.js';
import { gatewayTarget } from '../../gateway/manager.js';
import type { GatewayHello } from '../../gateway/connection.js';
import { OPERATOR_SCOPES } from '../../gateway/protocol.js';
import { checkinExecPolicy } from '../../lifecycle/exec-policy.js';
import { gatewayAgentKey } from '../../lifecycle/gateway-agents.js';
import { fix, type AppEnv, type CheckDef } from '../types.js';

/*
 * Gateway checks reuse the client's classification (backend/gateway/errors.ts, compat.ts): the
 * connection says unreachable / tls / token_mismatch / missing_scope / pairing_required /
 * protocol_mismatch / version_too_old / method_not_advertised; this check only adds the evidence
 * and the exact next step.
 */

export const gatewayRows = (app: AppEnv): GatewayRow[] => app.services.ctx.db.select().from(gateways).all();

/** A connected gateway's hello, or the classified failure (waits briefly for a connection in progress). */
export async function gatewayHello(app: AppEnv, row: GatewayRow, waitMs = 5_000): Promise<GatewayHello | GatewayError> {
  try {
    return await app.manager.ready(gatewayTarget(row), waitMs, { failFast: true });
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
}

/**
 * The gateways a check could not look at: named with the reason for people (`unchecked`), and by id
 * for the fixes' verify (`unchecked_gateway_ids`) — a fix there is never "verified" by their silence.
 */
export function uncheckedGateways() {
  const names: string[] = [];
  const ids: string[] = [];
  return {
    names,
    add(row: GatewayRow, why: string): void {
      names.push(`${row.name} (${why})`);
      ids.push(row.id);
    },
    evidence: () => ({ unchecked: names, unchecked_gateway_ids: ids }),
  };
}

/** A gateway's hello for a check that reads it (3 s at most), or null with the gateway noted as unchecked. */
export async function reachGateway(
  app: AppEnv,
  row: GatewayRow,
  unchecked: ReturnType<typeof uncheckedGateways>,
): Promise<GatewayHello | null> {
  const hello = await gatewayHello(app, row, 3_000);
  if (!(hello instanceof GatewayError)) return hello;
  unchecked.add(row, hello.code);
  return null;
}

/** The request id a pairing refusal names, when the gateway sends one. */
function pairingRequestId(err: GatewayError): string | null {
  const d = err.details ?? {};
  for (const key of ['requestId', 'request_id', 'deviceRequestId', 'pairingRequestId']) {
    if (typeof d[key] === 'string' && d[key]) return d[key] as string;
  }
  return null;
}

/** A TLS refusal's certificate (and the pin it no longer matches), when the handshake got that far. */
function refusedCertificate(err: GatewayError): { certificate: PeerCertificateInfo; pinned: string | null } | null {
  const cert = err.code === 'tls' ? (err.details?.certificate as PeerCertificateInfo | undefined) : undefined;
  if (!cert?.fingerprint_sha256) return null;
  const pinned = err.details?.pinned_fingerprint;
  return { certificate: cert, pinned: typeof pinned === 'string' ? pinned : null };
}

function tlsNextStep(refused: { certificate: PeerCertificateInfo; pinned: string | null }): string {
  const c = refused.certificate;
  const which = `SHA-256 ${c.fingerprint_sha256} (subject ${c.subject || '—'}, issuer ${c.self_signed ? 'itself (self-signed)' : c.issuer}, valid until ${c.valid_to})`;
  const compare =
    'Compare it on the gateway host: `openssl x509 -in ~/.openclaw/gateway/tls/gateway-cert.pem -noout -fingerprint -sha256` (or the file gateway.tls.certPath names).';
  return refused.pinned
    ? `The certificate changed: Mission Control pinned ${refused.pinned}, the gateway now presents ${which}. If the gateway’s certificate was renewed or regenerated, ${compare} and trust the new one if it matches; if nobody changed it, do not — something else may be answering at this address.`
    : `The gateway presents ${which}. ${compare} If it matches, trust (pin) this certificate: Mission Control then accepts exactly it, and says so if it ever changes.`;
}

function nextStep(app: AppEnv, err: GatewayError): string {
  const refused = refusedCertificate(err);
  if (refused) return tlsNextStep(refused);
  if (err.code === 'missing_scope') {
    // The two ways a paired device ends up with fewer scopes: a proxy capping them, or a narrower approval.
    return `Mission Control needs ${OPERATOR_SCOPES.join(', ')} (${err.detail}). If a reverse proxy in front of the gateway sends an \`x-openclaw-scopes\` header, let it allow these; otherwise run \`openclaw devices list\` on the gateway host and approve the scope upgrade of device ${app.manager.identity().deviceId} (“OpenClaw Mission Control”). Then re-test the gateway.`;
  }
  if (err.code !== 'pairing_required') return err.nextStep;
  const requestId = pairingRequestId(err);
  const deviceId = app.manager.identity().deviceId;
  return requestId
    ? `On the gateway host run: openclaw devices approve ${requestId}   (Mission Control’s device id is ${deviceId}). Then re-test the gateway.`
    : `On the gateway host run \`openclaw devices list\`, find the pending request of device ${deviceId} (“OpenClaw Mission Control”), then run: openclaw devices approve <request id>. Then re-test the gateway.`;
}

export const gatewayConnection: CheckDef = {
  id: 'gateway.connection',
  title: 'Gateway connections',
  severity: 'critical',
  needsApp: true,
  verify: 'Connects to each gateway again and checks its version, protocol and methods.',
  async run(env) {
    const app = env.app!;
    const rows = gatewayRows(app);
    if (rows.length === 0)
      return { status: 'warn', explanation: 'No gateway is configured yet: add one so agents can run.', evidence: { gateways: [] } };
    const seen: Record<string, unknown>[] = [];
    const problems: string[] = [];
    const fixes: DoctorFix[] = [];
    for (const row of rows) {
      const result = await gatewayHello(app, row);
      if (result instanceof GatewayError) {
        const step = nextStep(app, result);
        const refused = refusedCertificate(result);
        seen.push({
          id: row.id,
          name: row.name,
          url: row.url,
          ok: false,
          code: result.code,
          detail: result.detail,
          next_step: step,
          ...(refused && { certificate: refused.certificate, pinned_fingerprint: refused.pinned }),
        });
        problems.push(`“${row.name}” (${row.url}): ${result.explanation} ${step}`);
        if (refused) {
          const fp = refused.certificate.fingerprint_sha256;
          fixes.push(
            fix('trust_gateway_certificate', `Trust the certificate ${fp} for “${row.name}” (pin it)`, row.id, true, null, null, fp),
          );
        }
        fixes.push(fix('retest_gateway', `Re-test “${row.name}”`, row.id));
      } else {
        seen.push({
          id: row.id,
          name: row.name,
          url: row.url,
          ok: true,
          ...(row.tlsFingerprint && { pinned_fingerprint: row.tlsFingerprint }),
          version: result.version,
          protocol: result.protocol,
          auth_method: result.authMethod,
          scopes: result.scopes,
        });
      }
    }
    return {
      status: problems.length ? 'fail' : 'ok',
      explanation: problems.length
        ? problems.join(' ')
        : `${rows.length} gateway(s) connected, compatible (version, protocol 4, needed methods) with operator scopes.`,
      evidence: { gateways: seen, min_version: env.config.gatewayMinVersion },
      fixes,
    };
  },
};

export const execPolicy: CheckDef = {
  id: 'gateway.exec_policy',
  title: 'Gateway exec policy allows the check-in',
  severity: 'critical',
  needsApp: true,
  verify: 'Reads each gateway’s exec policy (config + exec approvals) again for every agent.',
  async run(env) {
    const app = env.app!;
    const refused: Record<string, unknown>[] = [];
    const broad: Record<string, unknown>[] = [];
    const unchecked = uncheckedGateways();
    const fixes: DoctorFix[] = [];
    let checked = 0;
    for (const row of gatewayRows(app)) {
      const hello = await reachGateway(app, row, unchecked);
      if (!hello) continue;
      const conn = app.manager.connection(gatewayTarget(row));
      const list = app.services.ctx.db
        .select()
        .from(agents)
        .where(and(eq(agents.gatewayId, row.id), ne(agents.status, 'deleting')))
        .all();
      for (const agent of list) {
        const verdict = await checkinExecPolicy(conn, hello, gatewayAgentKey(agent), env.config.baseUrl);
        if (!verdict) {
          unchecked.add(row, 'does not offer exec.approvals.get');
          break;
        }
        checked++;
        const pin = fix(
          'allow_checkin',
          `Allow only the check-in command (curl, exact arguments) for ${agent.name} on its gateway`,
          agent.id,
        );
        if (verdict.refused) {
          refused.push({ agent_id: agent.id, name: agent.name, gateway: row.name, mode: verdict.mode, reason: verdict.reason });
          fixes.push(pin);
        } else if (verdict.broad) {
          // The check-in runs, but so does curl with any arguments: not fine, even though nothing is refused.
          broad.push({ agent_id: agent.id, name: agent.name, gateway: row.name, ...verdict.broad });
          if (verdict.broad.replaceable) fixes.push(pin);
        }
      }
    }
    const broadText = broad.length
      ? `curl may run with any arguments (it can read, upload or overwrite files) for ${broad
          .map(
            (b) =>
              `${String(b.name)} (allowlist entry “${String(b.pattern)}”${b.where === 'all_agents' ? ' on the gateway’s list for all agents: remove it there' : ''})`,
          )
          .join(', ')}. The fix replaces an entry on the agent’s own list with its exact check-in command.`
      : '';
    if (refused.length) {
      return {
        status: 'fail',
        explanation: [
          `The gateway would refuse the headless check-in of ${refused.length} agent(s): ${refused
            .map((r) => `${String(r.name)}: ${String(r.reason)}`)
            .join(
              '; ',
            )}. The narrow fix puts exactly that agent’s check-in command (curl with its pinned arguments) on its exec allowlist (exec approval stays on).`,
          broadText,
        ]
          .filter(Boolean)
          .join(' '),
        evidence: { refused, broad, ...unchecked.evidence() },
        fixes,
      };
    }
    if (broad.length) return { status: 'warn', explanation: broadText, evidence: { broad, ...unchecked.evidence() }, fixes };
    return {
      status: unchecked.names.length && checked === 0 ? 'skipped' : 'ok',
      reason: unchecked.names.length && checked === 0 ? `not checked: ${unchecked.names.join(', ')}` : undefined,
      explanation: checked ? `The exec policy lets ${checked} agent(s) run their check-in.` : 'No agent on a connected gateway to check.',
      evidence: { checked, ...unchecked.evidence() },
    };
  },
};
