/// <reference lib="dom" />
import { expect, test, type Locator, type Page } from '@playwright/test';
import { checkIn } from '../support/openclaw/model-control.js';
import { setupValue } from './e2e-env.js';
import { useDoctorSpec, json, shot, until, type DoctorSpec } from './doctor-helpers.js';

/*
 * More of the doctor's guided flows in a real Chromium, each produced for real in the shared e2e
 * environment (headless server, real OpenClaw gateway, scripted model) and walked as a person does:
 * live evidence → what it means → the action → the verify result on the page.
 * - not responding: a silent agent's ladder ends offline → the reason and the gateway's own session →
 *   the agent behaves again → Wake (offered once for both findings) → verified, online;
 * - can't connect: the gateway process stopped (through the harness) → unreachable, with the next step →
 *   started again → Re-test → verified;
 * - slow API: debug logging left on → Set the log level to info, by keyboard alone → verified.
 * Each leaves the environment as it found it (gateway running, log level back, its agents deleted).
 */

let spec: DoctorSpec;
let page: Page;
let suffix: string;

useDoctorSpec('guided-flows.spec', (opened) => {
  spec = opened;
  ({ page, suffix } = opened);
});

/** Set before the halt request is sent: a halt whose answer is lost still gets its restart. */
let gatewayHalted = false;

// A hook, not only the test's `finally`: hooks are awaited even after a test timed out, so the specs
// after this one always get their gateway back.
test.afterEach(async () => {
  if (!gatewayHalted) return;
  await harness('restart');
  gatewayHalted = false;
});

/** The flow's parts, by their step names. */
function flowPage(p: Page) {
  return {
    evidence: p.getByRole('list', { name: 'Evidence' }),
    means: p.getByRole('region', { name: 'What it means' }),
    fix: p.getByRole('region', { name: 'Fix' }),
    verify: p.getByRole('region', { name: 'Verify' }),
  };
}

/** One check of the flow's evidence, by its id (shown next to its title). */
const checkItem = (evidence: Locator, id: string) =>
  evidence.locator('.check-item', { has: evidence.page().getByText(id, { exact: true }) });

async function openSymptom(symptom: RegExp, heading: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Check summary' })).toBeVisible({ timeout: 60_000 });
  const link = page.getByRole('link', { name: symptom });
  await expect(link).toContainText('finding');
  await link.click();
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
}

/** The harness's own control server (test/e2e/global-setup.ts): the gateway process lives there. */
async function harness(action: 'halt' | 'restart'): Promise<void> {
  const res = await fetch(`${setupValue('MC_E2E_HARNESS_URL')}/gateway/${action}`, { method: 'POST' });
  if (!res.ok) throw new Error(`harness ${action}: HTTP ${res.status} ${await res.text()}`);
}

test('guided flow: an agent not responding → offline with its reason and the gateway’s session → it behaves again → wake (offered once) → verified online', async () => {
  test.setTimeout(240_000);
  const board = await spec.board('Silent demo');
  const agent = await spec.worker(`Mute ${suffix}`, board.id, 'silent');
  await until(
    'its wake ladder ends offline',
    () => spec.agentStatus(agent.id),
    (a) => a.status === 'offline',
    120_000,
  );

  // From the Overview's “Needs attention”, as a person meets it.
  await page.goto('/#/');
  const item = page.locator('.attention > li', { hasText: agent.name });
  await expect(item).toContainText('never called the heartbeat API');
  await item.getByRole('link', { name: 'Troubleshoot' }).click();
  await expect(page.getByRole('heading', { name: 'An agent does not respond to its heartbeat', level: 1 })).toBeVisible();
  const { evidence, means, fix, verify } = flowPage(page);

  // Evidence: the ladder's reason and trail, and the gateway's own account (its live session of this agent).
  const offline = checkItem(evidence, 'agents.offline');
  await expect(offline).toHaveClass(/status-fail/, { timeout: 60_000 });
  const row = offline.locator('tbody', { hasText: agent.name }).first(); // its row, and the gateway's side under it
  await expect(row).toContainText('max wake attempts reached');
  await expect(row).toContainText(`agent:${agent.key}:main`);
  await expect(checkItem(evidence, 'agents.never_checked_in')).toContainText(agent.name);
  await expect(means).toContainText('when the model never runs the check-in');
  await expect(means).toContainText(`${agent.name}: Agent did not check in after wake; max wake attempts reached.`);

  // Both checks offer waking (and re-provisioning) this agent: each is offered once, naming both findings.
  const wakeButton = page.getByRole('button', { name: `Wake ${agent.name} (a new check-in ladder)` });
  const wake = fix.locator(wakeButton);
  await expect(wake).toHaveCount(1);
  await expect(wake).toHaveAccessibleDescription('Addresses: “Agents offline after their wakes” and “Agents that never checked in”');
  await expect(fix.getByRole('button', { name: new RegExp(`^Re-provision ${agent.name}:`) })).toHaveCount(1);
  await shot(page, 'flow-not-responding');

  // What the operator fixed on the agent's side (its model runs the check-in again), then the flow's action.
  await spec.model.setScript(agent.key, checkIn.obedient());
  await wake.click();
  await expect(verify.getByRole('status').filter({ hasText: 'Verified' })).toBeVisible({ timeout: 90_000 });
  const result = fix.locator('.flow-fix', { has: wakeButton }).locator('.verify-result.verified');
  await expect(result).toContainText('Woken; a new check-in ladder started.');
  // The other finding the wake addressed was checked again: this agent is no longer in it.
  const also = result.getByRole('list', { name: 'Also checked again' });
  await expect(also).toContainText('Agents that never checked in');
  await expect(also).not.toContainText(agent.name);
  await expect(checkItem(evidence, 'agents.offline').locator('tr', { hasText: agent.name })).toHaveCount(0);
  await expect(means).toContainText('Found before the fix');
  expect((await spec.agentStatus(agent.id)).status).toBe('online');
  await fix.scrollIntoViewIfNeeded();
  await shot(page, 'flow-not-responding-verified');
});

test('guided flow: can’t connect → the gateway stopped is unreachable, with the next step → started again → re-test → verified', async () => {
  test.setTimeout(240_000);
  const gateway = await json<{ name: string; url: string }>(await spec.api.get(`/api/v1/gateways/${spec.gatewayId}`));
  try {
    gatewayHalted = true;
    await harness('halt');
    await until(
      'the doctor sees the gateway unreachable',
      async () => json<{ status: string }>(await spec.api.get('/api/v1/doctor/checks/gateway.connection')),
      (c) => c.status === 'fail',
      60_000,
    );

    await openSymptom(/Can’t connect to the gateway/, 'Can’t connect to the gateway');
    const { evidence, means, fix, verify } = flowPage(page);
    const connection = checkItem(evidence, 'gateway.connection');
    await expect(connection).toHaveClass(/status-fail/, { timeout: 60_000 });
    await expect(connection).toContainText('unreachable');
    await expect(connection).toContainText(gateway.url);
    await expect(means).toContainText('Nothing answers at the gateway URL');
    await expect(means).toContainText(`“${gateway.name}” (${gateway.url}): Nothing answered at the gateway URL.`);
    const retest = fix.getByRole('button', { name: `Re-test “${gateway.name}”` });
    await expect(retest).toHaveCount(1);
    await expect(retest).toHaveAccessibleDescription('Addresses: “Gateway connections”');
    expect(await page.locator('body').textContent()).not.toContain(setupValue('MC_E2E_GATEWAY_TOKEN'));
    await shot(page, 'flow-cant-connect');

    // The operator starts the gateway again (same port, state and token), then re-tests it from the flow.
    await harness('restart');
    gatewayHalted = false;
    await retest.click();
    await expect(verify.getByRole('status').filter({ hasText: 'Verified' })).toBeVisible({ timeout: 60_000 });
    await expect(fix.locator('.verify-result.verified')).toContainText(/Connected \(2026\.[\d.]+, protocol 4\)/);
    await expect(checkItem(evidence, 'gateway.connection')).toHaveClass(/status-ok/);
    await fix.scrollIntoViewIfNeeded();
    await shot(page, 'flow-cant-connect-verified');
  } finally {
    // Whatever happened above, the specs after this one get their gateway back (afterEach too, after a timeout).
    if (gatewayHalted) {
      await harness('restart');
      gatewayHalted = false;
    }
  }
  await until(
    'the app connected to the gateway again',
    async () => json<{ status: string }>(await spec.api.get('/api/v1/doctor/checks/gateway.connection')),
    (c) => c.status === 'ok',
    60_000,
  );
});

test('guided flow: slow API → debug logging left on → set the log level to info, by keyboard alone → verified', async () => {
  const level = async () =>
    json<{ evidence: { level: string }; status: string }>(await spec.api.get('/api/v1/doctor/checks/logging.level'));
  const before = (await level()).evidence.level;
  const setLevel = async (to: string) =>
    json(await spec.api.post('/api/v1/doctor/fix', { data: { check_id: 'logging.level', action: 'set_log_level', level: to } }));
  try {
    // The seed's “enable debug logging”, done at runtime through the API, and then forgotten.
    await setLevel('debug');
    await openSymptom(/The app or its API is slow/, 'The app or its API is slow');
    const { evidence, means, fix, verify } = flowPage(page);
    const logging = checkItem(evidence, 'logging.level');
    await expect(logging).toHaveClass(/status-warn/, { timeout: 60_000 });
    await expect(logging).toContainText('debug');
    await expect(means).toContainText('debug logging left on');
    await expect(means).toContainText('Debug logging is on (debug): the log grows fast.');
    const setInfo = fix.getByRole('button', { name: 'Set the log level to info' });
    await expect(setInfo).toHaveCount(1);
    await expect(setInfo).toHaveAccessibleDescription('Addresses: “Log level”');
    await expect(fix.getByRole('button', { name: 'Show the log file' })).toHaveCount(1);

    // Keyboard alone: from the page's “Check again”, Tab reaches the fix with a visible focus ring; Enter runs it.
    await page.getByRole('button', { name: 'Check again' }).focus();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await setInfo.evaluate((el) => el === document.activeElement);
    }
    expect(reached, 'Tab reaches “Set the log level to info”').toBe(true);
    expect(await setInfo.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    await shot(page, 'flow-slow-api');
    await page.keyboard.press('Enter');
    await expect(verify.getByRole('status').filter({ hasText: 'Verified' })).toBeVisible({ timeout: 30_000 });
    await expect(fix.locator('.verify-result.verified')).toContainText('Log level is now info');
    // Focus stayed on the button (not thrown back to the page while the fix ran).
    await expect(setInfo).toBeFocused();
    await expect(checkItem(evidence, 'logging.level')).toHaveClass(/status-ok/);
    expect((await level()).evidence.level).toBe('info');
    await verify.scrollIntoViewIfNeeded();
    await shot(page, 'flow-slow-api-verified');
  } finally {
    await setLevel(before);
  }
});
