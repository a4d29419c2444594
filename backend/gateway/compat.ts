import { GatewayError } from './errors.js';

/**
 * OpenClaw versions are CalVer: `2026.9.6`, optionally `-<rev>` or a `v` prefix. Compared as
 * numbers, so `2026.10.1` is newer than `2026.9.30`.
 */
export function parseCalVer(value: string): [number, number, number, number] | null {
  const m = /^v?(\d{4})\.(\d{1,2})\.(\d{1,2})(?:-(\d+))?(?:[-+].*)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, rev] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return [y, mo, d, rev];
}

export function compareCalVer(a: string, b: string): number | null {
  const pa = parseCalVer(a);
  const pb = parseCalVer(b);
  if (!pa || !pb) return null;
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return 0;
}

/** The oldest gateway this build supports by default (MC_GATEWAY_MIN_VERSION): protocol 4 as verified on 2026.9.x. */
export const DEFAULT_MIN_GATEWAY_VERSION = '2026.9.1';

/** Methods provisioning cannot do without; the rest are chosen by capability. */
export const REQUIRED_METHODS = [
  'health',
  'agents.list',
  'agents.create',
  'agents.update',
  'agents.delete',
  'agents.files.list',
  'agents.files.get',
  'agents.files.set',
  'config.get',
  'config.patch',
];

export function assertCompatible(hello: { version: string; methods: string[] }, minVersion = DEFAULT_MIN_GATEWAY_VERSION): void {
  const cmp = compareCalVer(hello.version, minVersion);
  if (cmp === null) {
    throw new GatewayError(
      'version_too_old',
      `the gateway reported version '${hello.version}', which is not a CalVer version; minimum supported is ${minVersion}`,
    );
  }
  if (cmp < 0) throw new GatewayError('version_too_old', `gateway version ${hello.version} is older than the minimum ${minVersion}`);
  const missing = REQUIRED_METHODS.filter((m) => !hello.methods.includes(m));
  if (missing.length > 0) throw new GatewayError('method_not_advertised', `the gateway does not offer ${missing.join(', ')}`);
}
