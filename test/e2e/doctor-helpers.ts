/// <reference lib="dom" />
import { expect, request as playwrightRequest, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { tokenFromAgentsFile } from '../../backend/templates/render.js';
import { until } from '../support/doctor.js';
import { rawRpc } from '../support/openclaw/gateway.js';
import { checkIn, modelControl, type ModelControl } from '../support/openclaw/model-control.js';
import { CHROMIUM, E2E, setupValue } from './e2e-env.js';

/*
 * What the doctor specs (sync-and-doctor, guided-flows) share: the API as the scripts' bearer, the
 * harness gateway read with an independent raw client, boards and scripted agents created through the
 * API (and removed again: one backend and one gateway serve every spec), and the browser signed in.
 */

/** Skips the spec, saying why loudly at load time, where there is no Chromium (a skip must never look like a pass). */
export function skipWithoutChromium(specName: string): void {
  const noBrowser = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MC_CHROMIUM)`;
  if (noBrowser) console.warn(`SKIPPED ${specName}: ${noBrowser}`);
  test.skip(noBrowser !== null, noBrowser ?? '');
}

export { until };

/**
 * A doctor spec's hooks: skipped (saying why) without Chromium, the shared environment opened before its
 * tests and cleaned up after them. `ready` receives the opened spec.
 */
export function useDoctorSpec(specName: string, ready: (spec: DoctorSpec) => void): void {
  skipWithoutChromium(specName);
  let opened: DoctorSpec | undefined;
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    opened = await doctorSpec(browser);
    ready(opened);
  });
  test.afterAll(async () => {
    await opened?.cleanUp();
  });
}

/** Gateway ids of the agents Mission Control creates (not the gateway's own main agent). */
export const WORKERS = /^mc-(?!gateway-)/;

export const shot = (page: Page, name: string) => page.screenshot({ path: `${E2E.screenshots}/${name}.png`, fullPage: true });

export const gw = <T>(method: string, params: unknown) =>
  rawRpc<T>(setupValue('MC_E2E_GATEWAY_URL'), setupValue('MC_E2E_GATEWAY_TOKEN'), method, params);
export const fileOnGateway = async (key: string, name: string) =>
  (await gw<{ file: { content?: string } }>('agents.files.get', { agentId: key, name })).file.content ?? '';
export const workspaceToken = async (key: string) => tokenFromAgentsFile(await fileOnGateway(key, 'AGENTS.md'));

export async function json<T>(res: Awaited<ReturnType<APIRequestContext['get']>>): Promise<T> {
  if (!res.ok()) throw new Error(`${res.url()}: HTTP ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface DoctorSpec {
  /** Makes this run's names unique (one backend serves every spec and every run of it). */
  suffix: string;
  /** A page of its own, signed in with the local token, as the sign-in page offers (ui.spec may have spent the one-time link). */
  page: Page;
  api: APIRequestContext;
  model: ModelControl;
  gatewayId: string;
  /** A board on the harness gateway, its name made unique for this run. */
  board(name: string): Promise<{ id: string; name: string }>;
  /**
   * A worker whose scripted model runs the check-in command from its AGENTS.md (obedient: created and checked
   * in) or never does (silent: created; its ladder runs). Deleted by `cleanUp`.
   */
  worker(name: string, boardId: string, behaviour?: 'obedient' | 'silent'): Promise<{ id: string; key: string; name: string }>;
  agentStatus(id: string): Promise<{ status: string; last_seen_at: string | null; last_provision_error: string | null }>;
  heartbeat(token: string): Promise<number>;
  cleanUp(): Promise<void>;
}

/** The harness gateway, added through the API unless ui.spec.ts already added it in this run. */
async function ensureGateway(api: APIRequestContext): Promise<string> {
  const url = setupValue('MC_E2E_GATEWAY_URL');
  const list = await json<{ items: { id: string; url: string }[] }>(await api.get('/api/v1/gateways'));
  const found = list.items.find((g) => g.url === url);
  if (found) return found.id;
  const gateway = await json<{ id: string }>(
    await api.post('/api/v1/gateways', { data: { name: 'This machine', url, use_discovered_token: true } }),
  );
  return gateway.id;
}

export async function doctorSpec(browser: Browser): Promise<DoctorSpec> {
  const suffix = Math.random().toString(36).slice(2, 6);
  const model = modelControl(setupValue('MC_E2E_MODEL_URL'));
  const api = await playwrightRequest.newContext({
    baseURL: `http://127.0.0.1:${E2E.port}`,
    extraHTTPHeaders: { Authorization: `Bearer ${E2E.token}` },
  });
  const gatewayId = await ensureGateway(api);
  const created: string[] = [];
  const page = await (await browser.newContext()).newPage();
  // A script error in the page is a failure's first clue: print it where the run's output is.
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Local token' }).fill(E2E.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  const agentStatus = async (id: string) =>
    json<{ status: string; last_seen_at: string | null; last_provision_error: string | null }>(await api.get(`/api/v1/agents/${id}`));
  return {
    suffix,
    page,
    api,
    model,
    gatewayId,
    async board(name) {
      const full = `${name} ${suffix}`;
      const res = await api.post('/api/v1/boards', {
        data: { name: full, description: 'e2e: the doctor', gateway_id: gatewayId, create_lead: false },
      });
      return { id: (await json<{ id: string }>(res)).id, name: full };
    },
    async worker(name, boardId, behaviour = 'obedient') {
      const script = behaviour === 'obedient' ? checkIn.obedient() : checkIn.silent();
      // Its gateway id is known once it exists, and it is woken while being created: a pattern covers that moment.
      await model.setPatternScript(WORKERS, script);
      const agent = await json<{ id: string; name: string }>(await api.post('/api/v1/agents', { data: { name, board_id: boardId } }));
      created.push(agent.id);
      await model.setScript(`mc-${agent.id}`, script);
      await model.setPatternScript(WORKERS, null);
      if (behaviour === 'obedient')
        await until(
          `${name} checks in`,
          () => agentStatus(agent.id),
          (a) => Boolean(a.last_seen_at),
          60_000,
        );
      return { id: agent.id, key: `mc-${agent.id}`, name };
    },
    agentStatus,
    heartbeat: async (token) => (await api.post('/api/v1/agent/heartbeat', { headers: { 'X-Agent-Token': token } })).status(),
    async cleanUp() {
      for (const id of created) {
        await model.setScript(`mc-${id}`, null).catch(() => undefined);
        await api.delete(`/api/v1/agents/${id}`).catch(() => undefined);
      }
      await api.dispose();
      await page.context().close();
    },
  };
}
