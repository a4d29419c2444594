/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { useDoctorSpec, fileOnGateway, gw, json, shot, until, workspaceToken, type DoctorSpec } from './doctor-helpers.js';

/*
 * Template sync and the doctor's guided flow in a real Chromium, against the headless server, the real
 * OpenClaw gateway and scripted agents that run the check-in command from their AGENTS.md:
 * (a) a workspace file edited on the gateway → Sync templates shows the drift preview with its diff →
 *     sync → result, file restored; then Rotate tokens & re-sync → who checked in with the new token;
 * (b) the seed's token drift → Troubleshoot → “Check-ins refused with 401” → rotate & re-sync (offered
 *     once, although two checks find it) → verified, the old token refused.
 * Gateway state is read and edited with an independent raw client. Runs alone or after ui.spec.ts.
 */

let spec: DoctorSpec;
let page: Page;
let suffix: string;

useDoctorSpec('sync-and-doctor.spec', (opened) => {
  spec = opened;
  ({ page, suffix } = opened);
});

test('sync templates: an edited workspace file shows in the drift preview with its diff; the sync restores it; rotate & re-sync verifies the new token', async () => {
  test.setTimeout(240_000);
  const syncBoard = await spec.board('Sync demo');
  const worker = await spec.worker(`Scribe ${suffix}`, syncBoard.id);
  const soul = await fileOnGateway(worker.key, 'SOUL.md');
  await gw('agents.files.set', { agentId: worker.key, name: 'SOUL.md', content: `${soul}Edited by hand: ignore the board.\n` });

  await page.goto(`/#/gateways/${spec.gatewayId}`);
  await expect(page.getByRole('heading', { name: 'Templates' })).toBeVisible();
  await page.getByRole('button', { name: 'Sync templates…' }).click();
  const dialog = page.getByRole('dialog', { name: /^Sync templates/ });
  await expect(dialog.getByRole('list', { name: 'Steps' })).toContainText('Preview');
  await dialog.getByLabel('Board', { exact: true }).selectOption({ label: syncBoard.name });
  await dialog.getByLabel('Include the gateway’s main agent').uncheck();

  const agents = dialog.getByRole('list', { name: 'Drift per agent' });
  await expect(agents.locator(':scope > li')).toHaveCount(1);
  await expect(agents).toContainText(worker.name);
  await expect(agents).toContainText('token matches');
  const files = dialog.getByRole('list', { name: `Files of ${worker.name}` });
  await expect(files.locator('li', { hasText: /^SOUL\.md/ })).toContainText('changed on the gateway');
  await expect(files.locator('li', { hasText: /^AGENTS\.md/ })).toContainText('in sync');
  await expect(files.locator('li', { hasText: /^TOOLS\.md/ })).toContainText('not supported by this gateway');
  const diff = dialog.getByLabel(`Changes to SOUL.md of ${worker.name}`);
  await expect(diff.locator('.diff-del')).toHaveText('-Edited by hand: ignore the board.');
  await expect(diff.locator('.diff-head').first()).toHaveText('--- gateway/SOUL.md');
  await expect(dialog.getByRole('list', { name: 'Drift summary' })).toContainText('1changed on the gateway');
  // The workspace token is compared, never shown.
  expect(await dialog.textContent()).not.toContain((await workspaceToken(worker.key)) ?? 'no token?');
  await shot(page, 'sync-preview');

  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByText(`Scope: board “${syncBoard.name}”`)).toBeVisible();
  await expect(dialog.getByLabel('Overwrite the agents’ own files')).not.toBeChecked();
  await shot(page, 'sync-options');
  await dialog.getByRole('button', { name: 'Sync 1 agent' }).click();

  const result = dialog.getByRole('list', { name: 'Sync result' });
  await expect(result).toContainText('1updated', { timeout: 60_000 });
  await expect(result).toContainText('0errors');
  const row = dialog.locator('.result-table tr', { hasText: worker.name });
  await expect(row).toContainText('updated');
  await expect(row).toContainText('SOUL.md');
  await expect(row).toContainText('USER.md, MEMORY.md'); // kept: the agent's own files without overwrite
  await shot(page, 'sync-result');
  expect(await fileOnGateway(worker.key, 'SOUL.md')).toBe(soul);

  await dialog.getByRole('button', { name: 'Check drift again' }).click();
  // Reading every workspace again takes a while when the gateway is busy with the agents' turns.
  await expect(dialog.getByRole('list', { name: 'Drift summary' })).toContainText('0changed on the gateway', { timeout: 60_000 });
  await expect(agents).toContainText(`${worker.name}workertoken matchesfiles in sync`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.sync-last')).toContainText('1 agent updated, 0 skipped, 0 errors');

  // Rotate tokens & re-sync on the same board: confirm → the agent re-reads its token and checks in with it.
  const before = (await workspaceToken(worker.key))!;
  await page.getByRole('button', { name: 'Rotate tokens & re-sync…' }).click();
  const rotate = page.getByRole('dialog', { name: /^Rotate tokens & re-sync/ });
  await expect(rotate).toContainText('The old tokens stop working at once.');
  await rotate.getByLabel('Board', { exact: true }).selectOption({ label: syncBoard.name });
  await rotate.getByLabel('Include the gateway’s main agent').uncheck();
  await rotate.getByRole('button', { name: 'Rotate tokens & re-sync' }).click();
  const rotated = rotate.locator('.result-table tr', { hasText: worker.name });
  await expect(rotated).toContainText('updated', { timeout: 90_000 });
  await expect(rotate.getByRole('status').filter({ hasText: 'checked in with the new token' })).toContainText('1 of 1 agent checked in');
  await expect(rotated.locator('td').nth(3)).toContainText('yes');
  await expect(rotated.locator('td').nth(4)).toHaveText('yes');
  await shot(page, 'rotate-result');
  const after = (await workspaceToken(worker.key))!;
  expect(after).not.toBe(before);
  expect(await spec.heartbeat(before)).toBe(401);
  expect(await spec.heartbeat(after)).toBe(200);
  await rotate.getByRole('button', { name: 'Done' }).click();
});

test('guided flow: token drift (401s) → rotate & re-sync, offered once for both findings, by keyboard → verified, the old token refused', async () => {
  test.setTimeout(300_000);
  const driftBoard = await spec.board('Token drift demo');
  const agent = await spec.worker(`Courier ${suffix}`, driftBoard.id);
  const api = spec.api;
  const old = (await workspaceToken(agent.key))!;
  // The seed's drift: Mission Control's token moves on while the workspace keeps the old one.
  await json(await api.post(`/api/v1/agents/${agent.id}/token`));
  await json(await api.post(`/api/v1/agents/${agent.id}/wake`));
  // Its own finding: the first test's deliberate call with an old token may keep another agent in the check.
  await until(
    'its check-ins refused (401) and seen as token drift',
    async () => json<{ evidence: { drifted: { agent_id: string }[] } }>(await api.get('/api/v1/doctor/checks/agents.token_drift')),
    (c) => c.evidence.drifted.some((d) => d.agent_id === agent.id),
    60_000,
  );

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'What do you see?' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Check summary' })).toBeVisible({ timeout: 60_000 });
  const symptom = page.getByRole('link', { name: /Check-ins refused with 401/ });
  await expect(symptom).toContainText('finding');
  await expect(page.getByRole('list', { name: 'Critical checks' })).toBeVisible();
  await shot(page, 'troubleshoot-findings');

  await symptom.click();
  await expect(page.getByRole('heading', { name: 'Check-ins refused with 401 (token drift)', level: 1 })).toBeVisible();
  const evidence = page.getByRole('list', { name: 'Evidence' });
  await expect(evidence.locator('.check-item.status-fail').first()).toContainText('problem', { timeout: 60_000 });
  await expect(evidence).toContainText(agent.name);
  const means = page.getByRole('region', { name: 'What it means' });
  await expect(means).toContainText('never re-keys silently');
  await expect(means).toContainText(agent.name);
  const fix = page.getByRole('region', { name: 'Fix' });
  // Both checks find the drift and both offer this board's rotate & re-sync: the flow offers it once, naming both.
  await expect(evidence.locator('.check-item.status-fail', { hasText: 'Agent workspace files and tokens match' })).toContainText(
    agent.name,
  );
  const rotateButton = fix.getByRole('button', { name: new RegExp(`^Rotate tokens & re-sync the agents of board “${driftBoard.name}”`) });
  await expect(rotateButton).toHaveCount(1);
  await expect(rotateButton).toHaveAccessibleDescription(
    'Addresses: “Agent tokens in sync” and “Agent workspace files and tokens match Mission Control”',
  );
  await means.scrollIntoViewIfNeeded();
  await shot(page, 'troubleshoot-flow');

  // Keyboard: the destructive fix asks first; Escape cancels and gives focus back to the button; Enter runs it.
  await rotateButton.focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Rotate tokens & re-sync?' });
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(rotateButton).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm).toContainText('The old tokens are refused from that moment');
  await confirm.getByRole('button', { name: 'Rotate tokens & re-sync' }).click();
  const verify = page.getByRole('region', { name: 'Verify' });
  await expect(verify.getByRole('status').filter({ hasText: 'Verified' })).toBeVisible({ timeout: 150_000 });
  await expect(fix.locator('.verify-result.verified')).toContainText('1 token(s) rotated');
  // This agent's finding is gone. (Another agent may still show one: the first test called with an old
  // token on purpose, and one gateway + backend serve every spec.)
  await expect(evidence.locator('.check-item.status-fail', { hasText: agent.name })).toHaveCount(0);
  await expect(means).toContainText('Found before the fix');
  await expect(means).toContainText(agent.name);
  await shot(page, 'troubleshoot-flow-verified');

  const current = (await workspaceToken(agent.key))!;
  expect(current).not.toBe(old);
  expect(await spec.heartbeat(old)).toBe(401);
  expect(await spec.heartbeat(current)).toBe(200);
  expect(await page.locator('body').textContent()).not.toContain(current);
});
