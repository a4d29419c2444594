import { gateways } from '../../db/schema.js';
import { describePortInUse, portFree } from '../port.js';
import type { CheckDef } from '../types.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string) => LOOPBACK.has(host.toLowerCase()) || /^127\./.test(host);

/** The API port: in use by another process at start (who holds it, and a free alternative). */
export const apiPort: CheckDef = {
  id: 'api.port',
  title: 'API port',
  severity: 'critical',
  needsApp: false,
  verify: 'Tries to listen on the configured host and port again.',
  async run(env) {
    if (env.app) {
      return { status: 'ok', explanation: `Mission Control is listening on ${env.app.url}.`, evidence: { url: env.app.url } };
    }
    const { host, port } = env.config;
    if (port === 0 || (await portFree(host, port))) {
      return { status: 'ok', explanation: `Port ${port} on ${host} is free: the app can start.`, evidence: { host, port } };
    }
    const report = await describePortInUse(host, port);
    return {
      status: 'fail',
      explanation: report.message,
      evidence: {
        host,
        port,
        owner_pid: report.owner?.pid ?? null,
        owner_command: report.owner?.command ?? null,
        owner_found_by: report.owner?.source ?? null,
        alternative_port: report.alternative,
      },
    };
  },
};

/** The base URL agents are told to call: reachable from here, and not loopback for a remote gateway. */
export const baseUrl: CheckDef = {
  id: 'api.base_url',
  title: 'Base URL agents use',
  severity: 'critical',
  needsApp: true,
  verify: 'Calls <base URL>/healthz again and compares its host with every gateway’s host.',
  async run(env) {
    const app = env.app!;
    const base = env.config.baseUrl;
    const baseHost = new URL(base).hostname;
    const problems: string[] = [];
    let reachable = false;
    let answer: string;
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3_000), redirect: 'manual' });
      reachable = res.status === 200;
      answer = `HTTP ${res.status}`;
    } catch (err) {
      answer = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    }
    if (!reachable) {
      problems.push(
        `Agents are told to call ${base}, but ${base}/healthz does not answer from this machine (${answer}). Start Mission Control with --base-url / MC_BASE_URL set to the address where this app is reachable.`,
      );
    }
    const remote = app.services.ctx.db
      .select({ id: gateways.id, name: gateways.name, url: gateways.url })
      .from(gateways)
      .all()
      .filter((g) => !isLoopback(new URL(g.url).hostname));
    if (isLoopback(baseHost) && remote.length > 0) {
      problems.push(
        `The base URL ${base} is this machine's loopback address, but gateway ${remote.map((g) => `“${g.name}” (${new URL(g.url).host})`).join(', ')} runs on another host: its agents would call their own machine and never reach Mission Control. Start with --base-url http://<this machine's LAN address>:${env.config.port} (and --host 0.0.0.0 or that address).`,
      );
    }
    return {
      status: problems.length ? 'fail' : 'ok',
      explanation: problems.length ? problems.join(' ') : `Agents reach this API at ${base}; it answers.`,
      evidence: {
        base_url: base,
        healthz: answer,
        remote_gateways: remote.map((g) => ({ id: g.id, name: g.name, host: new URL(g.url).host })),
      },
    };
  },
};
