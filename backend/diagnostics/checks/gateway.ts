import { and, eq, ne } from 'drizzle-orm';
import type { DoctorFix } from '../../contract/diagnostics.js';
import { agents, gateways, type GatewayRow } from '../../db/schema.js';
import { GatewayError } from '../../gateway/errors.js';
import { gatewayTarget } from '../../gateway/manager.js';
import type { GatewayHello } from '../../gateway/connection.js';
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

/** The request id a pairing refusal names, when the gateway sends one. */
function pairingRequestId(err: GatewayError): string | null {
  const d = err.details ?? {};
  for (const key of ['requestId', 'request_id', 'deviceRequestId', 'pairingRequestId']) {
    if (typeof d[key] === 'string' && d[key]) return d[key] as string;
  }
  return null;
}

function nextStep(app: AppEnv, err: GatewayError): string {
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
        seen.push({ id: row.id, name: row.name, url: row.url, ok: false, code: result.code, detail: result.detail, next_step: step });
        problems.push(`“${row.name}” (${row.url}): ${result.explanation} ${step}`);
        fixes.push(fix('retest_gateway', `Re-test “${row.name}”`, row.id));
      } else {
        seen.push({
          id: row.id,
          name: row.name,
          url: row.url,
          ok: true,
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
    const unchecked: string[] = [];
    const fixes: DoctorFix[] = [];
    let checked = 0;
    for (const row of gatewayRows(app)) {
      const hello = await gatewayHello(app, row, 3_000);
      if (hello instanceof GatewayError) {
        unchecked.push(`${row.name} (${hello.code})`);
        continue;
      }
      const conn = app.manager.connection(gatewayTarget(row));
      const list = app.services.ctx.db
        .select()
        .from(agents)
        .where(and(eq(agents.gatewayId, row.id), ne(agents.status, 'deleting')))
        .all();
      for (const agent of list) {
        const verdict = await checkinExecPolicy(conn, hello, gatewayAgentKey(agent));
        if (!verdict) {
          unchecked.push(`${row.name} (does not offer exec.approvals.get)`);
          break;
        }
        checked++;
        if (verdict.refused) {
          refused.push({ agent_id: agent.id, name: agent.name, gateway: row.name, mode: verdict.mode, reason: verdict.reason });
          fixes.push(fix('allow_checkin', `Allow the check-in (curl) for ${agent.name} on its gateway`, agent.id));
        }
      }
    }
    if (refused.length) {
      return {
        status: 'fail',
        explanation: `The gateway would refuse the headless check-in of ${refused.length} agent(s): ${refused
          .map((r) => `${String(r.name)}: ${String(r.reason)}`)
          .join('; ')}. The narrow fix puts curl on that agent’s exec allowlist (exec approval stays on).`,
        evidence: { refused, unchecked },
        fixes,
      };
    }
    return {
      status: unchecked.length && checked === 0 ? 'skipped' : 'ok',
      reason: unchecked.length && checked === 0 ? `not checked: ${unchecked.join(', ')}` : undefined,
      explanation: checked ? `The exec policy lets ${checked} agent(s) run their check-in.` : 'No agent on a connected gateway to check.',
      evidence: { checked, unchecked },
    };
  },
};
