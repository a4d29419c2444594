/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { useDoctorSpec, json, shot, until, type DoctorSpec } from './doctor-helpers.js';

/*
 * The seed's log events on the Logs page, produced for real (#14 §1): in the shared e2e environment
 * (headless server, the real OpenClaw gateway, the scripted model, a 5 s check-in deadline) an agent
 * that checks in gives the healthy flow (lifecycle.queue.enqueued → queue.worker.success →
 * lifecycle.reconcile.skip_not_stuck) and a silent one the ladder (lifecycle.reconcile.deferred →
 * lifecycle.reconcile.retriggered → lifecycle.reconcile.max_attempts_reached). Nothing is written to
 * the database by the test: every row comes from the app supervising the two agents. The page is then
 * filtered as a person does: by agent, and by event through the form.
 * Also here: the Settings page's Schedules card shows node-cron's refusal under the field.
 */

let spec: DoctorSpec;
let page: Page;

useDoctorSpec('logs.spec', (opened) => {
  spec = opened;
  page = opened.page;
});

type LogRow = { event: string; agent_id: string | null };

const HEALTHY = ['lifecycle.queue.enqueued', 'queue.worker.success', 'lifecycle.reconcile.skip_not_stuck'];
const SILENT = ['lifecycle.reconcile.deferred', 'lifecycle.reconcile.retriggered', 'lifecycle.reconcile.max_attempts_reached'];

async function apiEvents(agentId: string): Promise<string[]> {
  const res = await spec.api.get(`/api/v1/logs?agent_id=${agentId}&limit=200`);
  return (await json<{ items: LogRow[] }>(res)).items.map((r) => r.event);
}

/** The Event column of the Logs page's rows, as shown. */
const shownEvents = (p: Page) => p.locator('.logs-table tbody tr td:nth-child(2) .mono').allTextContents();

test('the seed events of a healthy and a silent agent, produced by the real ladder, show on the Logs page and filter by agent and event', async () => {
  test.setTimeout(240_000);
  const board = await spec.board('Logs demo');
  const healthy = await spec.worker(`Healthy ${spec.suffix}`, board.id, 'obedient');
  const silent = await spec.worker(`Silent ${spec.suffix}`, board.id, 'silent');

  // A new agent's first check-in can miss the 5 s deadline on a loaded machine (its ladder then runs out and the
  // check-in comes late); a wake of the agent, now checked in and warm, is the seed's healthy flow.
  await json(await spec.api.post(`/api/v1/agents/${healthy.id}/wake`));
  // Recorded evidence first (the API the page reads), then the page itself.
  await until(
    'the healthy agent’s deadline passes with its check-in',
    () => apiEvents(healthy.id),
    (e) => HEALTHY.every((n) => e.includes(n)),
    90_000,
  );
  await until(
    'the silent agent’s ladder ends',
    () => apiEvents(silent.id),
    (e) => SILENT.every((n) => e.includes(n)),
    150_000,
  );

  // Filtered by agent through the URL the agent's timeline links to.
  await page.goto(`/#/logs?agent=${healthy.id}`);
  await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();
  await expect.poll(() => shownEvents(page)).toEqual(expect.arrayContaining(HEALTHY));
  await shot(page, 'logs-healthy-agent');

  await page.goto(`/#/logs?agent=${silent.id}`);
  await expect.poll(() => shownEvents(page)).toEqual(expect.arrayContaining(['lifecycle.queue.enqueued', ...SILENT]));
  const maxed = page.locator('.logs-table tbody tr', { hasText: 'lifecycle.reconcile.max_attempts_reached' });
  await expect(maxed).toContainText(silent.name);
  await shot(page, 'logs-silent-agent');

  // Filtered by event through the form, for all agents: only that event, and it names the silent agent.
  await page.goto('/#/logs');
  await page.getByRole('combobox', { name: 'Event' }).fill('lifecycle.reconcile.max_attempts_reached');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/event=lifecycle\.reconcile\.max_attempts_reached/);
  await expect.poll(async () => new Set(await shownEvents(page))).toEqual(new Set(['lifecycle.reconcile.max_attempts_reached']));
  await expect(page.locator('.logs-table')).toContainText(silent.name);

  // A prefix filter (the seed's `lifecycle.*`-style) keeps the healthy flow's lifecycle events and leaves out queue.*.
  await page.goto(`/#/logs?agent=${healthy.id}&event=lifecycle.reconcile.*`);
  await expect.poll(() => shownEvents(page)).toContain('lifecycle.reconcile.skip_not_stuck');
  expect((await shownEvents(page)).every((e) => e.startsWith('lifecycle.reconcile.'))).toBe(true);
});

test('Settings → Schedules: an expression node-cron refuses is shown under its field and nothing is saved', async () => {
  const before = await json<{ items: { name: string; cron: string }[] }>(await spec.api.get('/api/v1/settings/schedules'));
  await page.goto('/#/settings');
  const backup = page.getByRole('form', { name: 'Database backup schedule' });
  await backup.getByRole('textbox', { name: 'Database backup' }).fill('61 3 * * *');
  await backup.getByRole('button', { name: 'Save Database backup schedule' }).click();
  await expect(backup.getByRole('alert')).toContainText('61 is a invalid expression for minute');
  const after = await json<{ items: { name: string; cron: string }[] }>(await spec.api.get('/api/v1/settings/schedules'));
  expect(after.items).toEqual(before.items);
  await shot(page, 'settings-schedules-refused');
});
