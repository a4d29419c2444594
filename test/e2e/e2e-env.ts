/** Settings shared by the Playwright config, its global setup and the specs (one place, no drift). */
export const CHROMIUM = process.env.MC_CHROMIUM ?? '/usr/bin/chromium';

process.env.MC_E2E_TOKEN ??= `e2e-${Math.random().toString(36).slice(2)}-${'t'.repeat(60)}`;

export const E2E = {
  port: Number(process.env.MC_E2E_PORT ?? 18431),
  /** The throwaway local token (scripts' bearer); the browser signs in with the printed link instead. */
  token: process.env.MC_E2E_TOKEN,
  /** A whole wake ladder (3 × deadline) fits in one test. */
  deadlineSeconds: 5,
  screenshots: 'test-results/screenshots',
};

/** Set by the global setup (visible to workers through the environment). */
export const setupValue = (
  name: 'MC_E2E_LOGIN_URL' | 'MC_E2E_MODEL_URL' | 'MC_E2E_GATEWAY_URL' | 'MC_E2E_GATEWAY_TOKEN' | 'MC_E2E_HARNESS_URL' | 'MC_E2E_DATA_DIR',
): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the Playwright global setup (test/e2e/global-setup.ts) did not run`);
  return value;
};
