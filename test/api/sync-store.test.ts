import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClientOptions } from '../../renderer/src/model/api/client.js';
import { describeProblem } from '../../renderer/src/model/problem.js';
import {
  createSyncStore,
  DEFAULT_SYNC_OPTIONS,
  syncQuery,
  watchSyncProgress,
  type SyncStore,
} from '../../renderer/src/model/stores/sync-store.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';
import { until } from '../support/until.js';

/*
 * The template sync store over the typed client, against a real backend on a real SQLite file: the
 * drift preview's and the sync's errors in plain words, a paused board's skip with progress from the
 * real event stream. Drift and sync on the real gateway are in test/e2e/sync-and-doctor.spec.ts and
 * test/integration/template-sync.test.ts.
 */

let api: TestApi;
let f: ReturnType<typeof fixtures>;
let options: ApiClientOptions;

beforeAll(async () => {
  api = await startTestApi();
  f = fixtures(api);
  options = { baseUrl: api.url, getToken: () => api.backend.localToken };
});
afterAll(async () => {
  await api?.stop();
});

const storeFor = (gatewayId: string): SyncStore => {
  const store = createSyncStore(createApiClient(options));
  store.getState().open(gatewayId);
  return store;
};

describe('sync store', () => {
  it('drift preview of an unreachable gateway: the classified reason and next step in plain words, no preview', async () => {
    const gateway = await f.gateway();
    const store = storeFor(gateway.id);
    expect(await store.getState().loadDrift()).toBeNull();
    const s = store.getState();
    expect(s.drift).toBeNull();
    expect(s.driftLoading).toBe(false);
    expect(s.driftError).toMatchObject({ status: 502, code: 'unreachable', title: 'The gateway could not be reached' });
    expect(s.driftError?.message).toMatch(/Nothing was changed on any agent\.$/);
    expect(s.driftError?.message).not.toMatch(/^Gateway unavailable for template sync/);
    expect(s.driftError?.next_step).toEqual(expect.any(String));

    // Without the main agent nothing in scope needs the gateway: an empty preview.
    store.getState().setOptions({ include_main: false });
    const empty = await store.getState().loadDrift();
    expect(empty).toMatchObject({ gateway_id: gateway.id, agents: [], summary: { agents: 0 } });
    expect(store.getState().driftError).toBeNull();
  });

  it('a board paused in chat is skipped: result with the paused board, progress n of N from the event stream', async () => {
    const { gateway, board, agent } = await f.pausedBoard();

    const store = storeFor(gateway.id);
    const other = storeFor((await f.gateway()).id);
    let delivered = 0;
    const live: string[] = [];
    const sub = watchSyncProgress(options, (p) => {
      delivered += 1;
      if (p.gateway_id === gateway.id) live.push(p.phase);
      store.getState().applyProgress(p);
      other.getState().applyProgress(p);
    });
    try {
      // The stream is open once it delivers: a sync of another gateway proves it (and must not reach this store).
      await until(
        'the event stream delivers',
        () => {
          void other.getState().run('sync');
          return delivered > 0;
        },
        5_000,
        25,
      );
      expect(store.getState().progress).toBeNull();

      store.getState().setOptions({ board_id: board.id, include_main: false });
      const running = store.getState().run('sync');
      expect(store.getState().running).toBe('sync');
      const result = await running;
      expect(store.getState().running).toBeNull();
      expect(result).toMatchObject({ agents_updated: 0, agents_skipped: 1, paused_board_ids: [board.id], errors: [] });
      expect(store.getState()).toMatchObject({ result, resultMode: 'sync', error: null });
      await until('the finished event arrives', () => store.getState().progress?.phase === 'finished', 5_000, 25);
      expect(store.getState().progress).toMatchObject({ done: 1, total: 1, gateway_id: gateway.id });
      expect(store.getState().progressLog).toEqual([
        expect.objectContaining({ agent_id: agent.id, agent_name: agent.name, outcome: 'skipped' }),
      ]);
      expect(live).toEqual(['started', 'agent', 'finished']);
    } finally {
      sub.close();
    }

    store.getState().reset();
    expect(store.getState()).toMatchObject({ result: null, error: null, progress: null, progressLog: [] });
    expect(store.getState().options.board_id).toBe(board.id); // the options stay for the next run
    expect(store.getState().last).toMatchObject({ mode: 'sync', result: { paused_board_ids: [board.id] } }); // and the last run, for the page
  });

  it('a sync that needs an unreachable gateway: 502 in plain words, nothing running afterwards', async () => {
    const gateway = await f.gateway();
    const board = await f.board({ gateway_id: gateway.id });
    await f.agent(board.id);
    const store = storeFor(gateway.id);
    store.getState().setOptions({ board_id: board.id });
    expect(await store.getState().run('rotate')).toBeNull();
    expect(store.getState()).toMatchObject({ running: null, result: null, error: { status: 502, code: 'unreachable' } });
  });

  it('a rotation sends rotate_tokens and verify and never the file options; a sync never rotates', () => {
    const opts = { ...DEFAULT_SYNC_OPTIONS, overwrite: true, reset_sessions: true, board_id: 'b1', include_main: false };
    expect(syncQuery(opts, 'rotate')).toEqual({
      include_main: 'false',
      lead_only: 'false',
      board_id: 'b1',
      overwrite: 'false',
      reset_sessions: 'false',
      rotate_tokens: 'true',
      verify: 'true',
    });
    expect(syncQuery(opts, 'sync')).toMatchObject({ overwrite: 'true', reset_sessions: 'true', rotate_tokens: 'false', verify: 'false' });
  });

  it('409 template_sync_running reads as “already running”, without the server’s jargon', () => {
    const p = describeProblem(
      new ApiError(409, { code: 'template_sync_running', message: 'A template sync of gateway X is already running' }, 'r1'),
    );
    expect(p).toMatchObject({ status: 409, code: 'template_sync_running', title: 'A template sync of this gateway is already running' });
    expect(p.message).toMatch(/one sync runs per gateway at a time/i);
    expect(describeProblem(new TypeError('fetch failed'), 'The sync')).toMatchObject({
      title: 'Mission Control did not answer',
      status: null,
    });
  });
});
