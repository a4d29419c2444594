/// <reference lib="dom" />
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { checkIn, modelControl } from '../support/openclaw/model-control.js';
import { CHROMIUM, E2E, setupValue } from './e2e-env.js';

/*
 * The product in a real Chromium, against the headless server, a real OpenClaw gateway and scripted
 * agents. One browser session walks the path a new user takes; every page is photographed.
 */

const noBrowser = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MC_CHROMIUM)`;
// Said at load time, loudly: a skipped browser test must never look like a pass.
if (noBrowser) console.warn(`SKIPPED ui.spec: ${noBrowser}`);
test.skip(noBrowser !== null, noBrowser ?? '');
test.describe.configure({ mode: 'serial' });

const WORKERS = /^mc-(?!gateway-)/;
const shot = (page: Page, name: string) => page.screenshot({ path: `${E2E.screenshots}/${name}.png`, fullPage: true });
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
const agentRow = (page: Page, name: string): Locator => page.locator('tr', { has: page.getByRole('link', { name, exact: true }) });
const column = (page: Page, title: string): Locator =>
  page.locator('section.column', { has: page.getByRole('heading', { name: title, exact: true }) });

let page: Page;
let model: ReturnType<typeof modelControl>;
let boardUrl = '';

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  model = modelControl(setupValue('MC_E2E_MODEL_URL'));
  page = await (await browser.newContext()).newPage();
  // A script error in the page is a test failure's first clue: print it where the run's output is.
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[console] ${msg.text()}`);
  });
});

test.afterAll(async () => {
  await model?.setPatternScript(WORKERS, null).catch(() => undefined);
  await page?.context().close();
});

test('sign in with the one-time link the server printed; a used link and a wrong token are refused', async ({ browser }) => {
  const link = setupValue('MC_E2E_LOGIN_URL');
  expect(link).not.toContain(E2E.token);
  await page.goto(link);
  await expect(page).toHaveURL(/\/$|\/#/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Connect your first OpenClaw gateway' })).toBeVisible();
  await expect(page.getByText('A gateway is configured on this machine')).toBeVisible();
  await shot(page, 'overview-empty');

  // Another browser: the link is spent, the form refuses a wrong token and accepts the real one.
  const other = await (await browser.newContext({ colorScheme: 'dark' })).newPage();
  const again = await other.goto(link);
  expect(again?.status()).toBe(401);
  await expect(other.getByRole('heading', { name: 'This sign-in link cannot be used' })).toBeVisible();
  await other.goto('/');
  await expect(other.getByRole('heading', { name: 'Sign in to OpenClaw Mission Control' })).toBeVisible();
  await other.getByRole('textbox', { name: 'Local token' }).fill('x'.repeat(80));
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('alert')).toContainText('was not accepted');
  await shot(other, 'sign-in-dark');
  await other.getByRole('textbox', { name: 'Local token' }).fill(E2E.token);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('heading', { name: 'Overview' })).toBeVisible();
  // The token went into an HttpOnly cookie exchange; the page's storage holds nothing of it.
  const stored = await other.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toContain(E2E.token);
  expect(stored).not.toContain('mc_session');
  await other.context().close();
});

test('add the auto-detected gateway: a wrong URL is explained in plain words, the detected one connects', async () => {
  await page.getByRole('link', { name: 'Add a gateway' }).click();
  await expect(page.getByRole('heading', { name: 'Add a gateway' })).toBeVisible();
  const offer = page.getByRole('region', { name: 'Detected gateway' });
  await expect(offer).toContainText(setupValue('MC_E2E_GATEWAY_URL'));

  await page.getByLabel('Name').fill('This machine');
  await page.getByLabel('Gateway URL').fill('ws://127.0.0.1:9');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing answered at the gateway URL.');
  await expect(page.getByRole('alert')).toContainText('What to do:');

  await offer.getByRole('button', { name: 'Use this gateway' }).click();
  await expect(page.getByLabel('Gateway URL')).toHaveValue(setupValue('MC_E2E_GATEWAY_URL'));
  await expect(page.getByText('Using the token from the detected config.')).toBeVisible();
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toContainText('OpenClaw 2026.');
  await shot(page, 'gateway-new');

  await page.getByRole('button', { name: 'Save gateway' }).click();
  await expect(page.getByRole('heading', { name: 'This machine', level: 1 })).toBeVisible();
  await expect(page.locator('.page-header .pill')).toHaveText('connected');
  await expect(page.getByLabel('Method namespaces')).toContainText('agents');
  await page.getByText(/^All \d+ methods$/).click();
  await page.getByLabel('Filter methods').fill('agents.cr');
  await expect(page.getByRole('list', { name: 'Advertised methods' })).toHaveText('agents.create');
  await expect(page.getByRole('heading', { name: 'Templates' })).toBeVisible();
  await expect(page.locator('body')).not.toContainText(setupValue('MC_E2E_GATEWAY_TOKEN'));
  await shot(page, 'gateway-detail');

  await nav(page, 'Gateways');
  await expect(agentRow(page, 'This machine')).toContainText('connected');
  await shot(page, 'gateways');
});

test('create a board with the default rules', async () => {
  await nav(page, 'Boards');
  await page.getByRole('button', { name: 'New board' }).first().click();
  const form = page.getByRole('form', { name: 'New board' });
  await form.getByLabel('Board name').fill('Product launch');
  await form.getByLabel('Description').fill('Everything for the launch on Friday');
  await expect(form.getByLabel('Require an approved approval to mark a task done')).toBeChecked();
  await form.getByLabel('Create and provision a lead agent for this board').uncheck();
  await form.getByRole('button', { name: 'Create board' }).click();
  await expect(page.getByRole('heading', { name: 'Product launch', level: 1 })).toBeVisible();
  await expect(column(page, 'Inbox')).toContainText('Add a task above.');
  boardUrl = page.url();
});

test('create a worker: it turns online in the table without a reload', async () => {
  await model.setPatternScript(WORKERS, checkIn.obedient());
  await nav(page, 'Agents');
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await page.getByRole('button', { name: 'New agent' }).first().click();
  const form = page.getByRole('form', { name: 'New agent' });
  await form.getByLabel('Agent name').fill('Writer');
  await form.getByRole('button', { name: 'Create and wake' }).click();
  const row = agentRow(page, 'Writer');
  await expect(row).toBeVisible({ timeout: 60_000 });
  const id = await row.getAttribute('data-agent-id');
  await model.setScript(`mc-${id}`, checkIn.obedient());
  await expect(row.locator('.status-cell')).toHaveText('online', { timeout: 60_000 });
  await expect(row).toContainText('just now');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});

test('a silent agent: the ladder counts 1/3 → 3/3 with a live countdown, then offline with its reason', async () => {
  await model.setPatternScript(WORKERS, checkIn.silent());
  await page.getByRole('button', { name: 'New agent' }).first().click();
  const form = page.getByRole('form', { name: 'New agent' });
  await form.getByLabel('Agent name').fill('Quiet one');
  await form.getByRole('button', { name: 'Create and wake' }).click();
  const row = agentRow(page, 'Quiet one');
  await expect(row).toBeVisible({ timeout: 60_000 });
  const id = await row.getAttribute('data-agent-id');
  await model.setScript(`mc-${id}`, checkIn.silent());
  const ladder = row.getByTestId('ladder');
  await expect(ladder).toContainText('1/3');
  await expect(ladder).toContainText(/check-in due in [0-5]s/);
  await expect(row.locator('.status-cell')).toHaveText('provisioning');
  await expect(ladder).toContainText('2/3', { timeout: 30_000 });
  await shot(page, 'agents-ladder');
  await expect(ladder).toContainText('3/3', { timeout: 30_000 });
  await expect(row.locator('.status-cell')).toHaveText('offline', { timeout: 30_000 });
  await expect(ladder).toContainText('gave up');
  await expect(row).toContainText('never called the heartbeat API');
  await expect(agentRow(page, 'Writer').locator('.status-cell')).toHaveText('online');
  await shot(page, 'agents');

  await row.getByRole('link', { name: 'Quiet one' }).click();
  await expect(page.getByRole('heading', { name: 'Lifecycle timeline' })).toBeVisible();
  await expect(page.locator('.timeline')).toContainText('Gave up: marked offline');
  await expect(page.locator('.timeline')).toContainText('No check-in: woken again');
  await shot(page, 'agent-detail');
});

test('drag a task Inbox → In progress with an assignee; Done on a default board shows the approval gate', async () => {
  await page.goto(boardUrl);
  await page.getByLabel('New task title').fill('Write the launch post');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(column(page, 'Inbox').locator('.task-card')).toHaveCount(1);
  await page.getByLabel('New task title').fill('Record the demo video');
  await page.getByRole('button', { name: 'Add task' }).click();
  const card = page.locator('.task-card', { hasText: 'Write the launch post' });
  await expect(column(page, 'Inbox').locator('.task-card')).toHaveCount(2);

  await card.getByRole('link', { name: 'Write the launch post' }).click();
  const drawer = page.getByRole('dialog', { name: 'Write the launch post' });
  await drawer.getByLabel('Assignee').selectOption({ label: 'Writer (worker, online)' });
  await drawer.getByLabel('Priority').selectOption('high');
  await expect(drawer.getByLabel('Assignee')).toHaveValue(/[0-9a-f-]{36}/);
  await shot(page, 'task-drawer');
  await drawer.getByRole('button', { name: 'Close task' }).click();
  await expect(card).toContainText('Writer');

  await card.dragTo(column(page, 'In progress'));
  await expect(column(page, 'In progress').locator('.task-card', { hasText: 'Write the launch post' })).toContainText('Writer');
  await expect(column(page, 'Inbox').locator('.task-card')).toHaveCount(1);

  const moved = column(page, 'In progress').locator('.task-card', { hasText: 'Write the launch post' });
  await moved.dragTo(column(page, 'Done'));
  const refusal = page.getByRole('alert').filter({ hasText: 'was not moved to Done' });
  await expect(refusal).toContainText('Task can only be marked done when a linked approval has been approved.');
  // Not a silent snap-back: the card is back in progress and the gate's words stay on screen.
  await expect(column(page, 'In progress').locator('.task-card', { hasText: 'Write the launch post' })).toBeVisible();
  await expect(column(page, 'Done').locator('.task-card')).toHaveCount(0);
  await shot(page, 'board-gate-refusal');

  // Request an approval, approve it, and the same move goes through.
  await refusal.getByRole('link', { name: 'Open the task' }).click();
  const drawer2 = page.getByRole('dialog', { name: 'Write the launch post' });
  await drawer2.getByRole('button', { name: 'Request approval to mark done' }).click();
  await drawer2.getByRole('button', { name: 'Approve' }).click();
  await expect(drawer2.locator('.mini-approvals')).toContainText('approved');
  await drawer2.getByLabel('Status').selectOption('done');
  await expect(column(page, 'Done').locator('.task-card', { hasText: 'Write the launch post' })).toBeVisible();
  await drawer2.getByRole('button', { name: 'Close task' }).click();

  await page.getByRole('tab', { name: 'Chat' }).click();
  await page.getByLabel('Message to the board').fill('Launch post is done, demo video next.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('log', { name: 'Board chat' })).toContainText('Launch post is done');
  await shot(page, 'board-chat');
  await page.getByRole('tab', { name: 'Approvals' }).click();
  await expect(page.locator('.approvals')).toContainText('approved');
  await page.getByRole('tab', { name: 'Tasks' }).click();
  await shot(page, 'board');
});

test('every other page, and the keyboard', async ({ browser }) => {
  await nav(page, 'Overview');
  await expect(page.getByRole('heading', { name: /Needs attention/ })).toBeVisible();
  await expect(page.locator('.attention')).toContainText('Quiet one');
  // Templates per gateway: “Check now” reads every agent's files on the real gateway; the answer is remembered
  // and shown with its age (nothing was edited on the gateway, so every agent is in sync).
  const templates = page.locator('.health-templates').first();
  await templates.getByRole('button', { name: 'Check now' }).click();
  await expect(templates.getByRole('button', { name: 'Check now' })).toBeEnabled({ timeout: 30_000 });
  await expect(templates).toContainText(/Templates: in sync \(\d+ agents\) · checked (just now|\d+ s ago)/);
  await shot(page, 'overview');
  // “Review & sync” (offered for a drifted gateway) is an address: the gateway page with its Sync templates dialog
  // open; the address then drops `?sync`, so Back or a reload does not open it again.
  const gatewayPage = await page.locator('.health-list a.strong').first().getAttribute('href');
  await page.evaluate((hash) => (window.location.hash = hash), `${gatewayPage}?sync=templates`);
  const syncDialog = page.getByRole('dialog', { name: /^Sync templates/ });
  await expect(syncDialog).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(gatewayPage);
  await syncDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(syncDialog).toHaveCount(0);

  await nav(page, 'Boards');
  await expect(page.getByRole('link', { name: /Product launch/ })).toBeVisible();
  await shot(page, 'boards');

  await nav(page, 'Activity');
  await expect(page.getByRole('list', { name: 'Activity' })).toContainText('Write the launch post');
  await shot(page, 'activity');

  await nav(page, 'Logs');
  await page.getByLabel('Agent').selectOption({ label: 'Quiet one' });
  await page.getByLabel('Event').fill('lifecycle.reconcile.*');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('.logs-table')).toContainText('lifecycle.reconcile.max_attempts_reached');
  await expect(page.locator('.logs-table')).not.toContainText('lifecycle.wake.sent');
  await shot(page, 'logs');

  await nav(page, 'Settings');
  await expect(page.getByText(`${E2E.deadlineSeconds} s`, { exact: true })).toBeVisible();
  await settingsPage(page);

  await nav(page, 'Troubleshoot');
  await expect(page.getByRole('heading', { name: 'What do you see?' })).toBeVisible();
  await shot(page, 'troubleshoot');

  // Keyboard only, from a fresh load: the skip link, then the sidebar, with a visible focus ring.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Troubleshoot', level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toHaveText('Overview');
  expect(await focused.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  // The drawer is keyboard-operable too: open a task with Enter, close it with Escape.
  await page.goto(boardUrl);
  await page.locator('.task-link', { hasText: 'Record the demo video' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Record the demo video' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // Alt+→ moves the focused card to the next column.
  await page.locator('.task-link', { hasText: 'Record the demo video' }).focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(column(page, 'In progress').locator('.task-card', { hasText: 'Record the demo video' })).toBeVisible();

  // Dark mode follows the system.
  const dark = await (await browser.newContext({ colorScheme: 'dark', storageState: await page.context().storageState() })).newPage();
  await dark.goto(boardUrl);
  await expect(dark.getByRole('heading', { name: 'Product launch', level: 1 })).toBeVisible();
  expect(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
  await shot(dark, 'board-dark');
  await dark.goto(`${new URL(boardUrl).origin}/#/agents`);
  await expect(dark.getByRole('heading', { name: 'Agents', level: 1 })).toBeVisible();
  await shot(dark, 'agents-dark');
  await dark.context().close();
});

/**
 * The Settings page against the running server (started with `--port`): the port is locked and says
 * by what; the log level changes at once; a bad base URL is refused under its field, a good one is
 * saved for the next start. Photographed with the controls in those states, then put back (the
 * sync/doctor spec runs on the same backend).
 */
async function settingsPage(page: Page): Promise<void> {
  const api = async (method: 'GET' | 'PATCH', body?: unknown) => {
    const res = await page.request.fetch('/api/v1/settings', {
      method,
      headers: { Authorization: `Bearer ${E2E.token}` },
      ...(body !== undefined && { data: body }),
    });
    expect(res.status()).toBe(200);
    return (await res.json()) as { log_level: string; base_url: string; editable: { base_url: { saved: string | null } } };
  };
  const port = page.getByLabel('Port', { exact: true });
  await expect(port).toBeDisabled();
  await expect(port).toHaveValue(String(E2E.port));
  await expect(page.getByText('when Mission Control started').first()).toContainText('--port');

  await page.getByLabel('Log level').selectOption('debug');
  await expect(page.getByText('Log level is now debug.')).toBeVisible();
  expect((await api('GET')).log_level).toBe('debug');

  const baseUrl = page.getByLabel('Base URL agents use');
  const running = (await api('GET')).base_url;
  await expect(baseUrl).toHaveValue(running);
  await baseUrl.fill('ftp://mission-control.lan');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('#setting-base-url-hint')).toHaveText(/must be an absolute http\(s\) URL/);
  await baseUrl.fill(`http://mission-control.lan:${E2E.port}/`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restart to apply' })).toBeVisible();
  await expect(baseUrl).toHaveValue(`http://mission-control.lan:${E2E.port}`);
  const saved = await api('GET');
  expect(saved.editable.base_url.saved).toBe(`http://mission-control.lan:${E2E.port}`);
  expect(saved.base_url).toBe(running); // in use until the restart

  // The ladder's settings carry the concept's one name (code, docs, the Agents page).
  await expect(page.getByRole('region', { name: 'Wake ladder' })).toContainText('Wakes before offline');
  // Not inside Electron: no start-at-login switch; the data folder's path can be copied.
  await expect(page.getByText('Start Mission Control when I log in')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Copy the data folder path' })).toBeVisible();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).click(); // no focus ring in the photo
  // The confirmations go away on their own (4 s): photograph the page without them on top.
  await expect(page.getByRole('button', { name: 'Dismiss notification' })).toHaveCount(0, { timeout: 15_000 });
  await shot(page, 'settings');

  await api('PATCH', { base_url: null, log_level: null });
}
