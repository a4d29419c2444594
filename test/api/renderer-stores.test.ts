import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRead } from '../../backend/contract/agents.js';
import { ApiError, createApiClient } from '../../renderer/src/model/api/client.js';
import { boardSnapshotPath, startEarlyRead } from '../../renderer/src/model/api/early.js';
import { subscribeAgentEvents, type StreamState } from '../../renderer/src/model/api/events.js';
import { createAppStore } from '../../renderer/src/model/stores/app-store.js';
import { createBoardStore } from '../../renderer/src/model/stores/board-store.js';
import { until } from '../support/doctor.js';
import { fixtures, startTestApi, type TestApi } from '../support/api.js';

/*
 * The renderer's API client and zustand stores, run in Node against a real backend (real SQLite,
 * contract-validated responses): the same code the browser runs, with the Electron-style bearer token.
 */

let api: TestApi;
let f: ReturnType<typeof fixtures>;
const client = () => createApiClient({ baseUrl: api.url, getToken: () => api.backend.localToken });

beforeAll(async () => {
  api = await startTestApi();
  f = fixtures(api);
});
afterAll(async () => {
  await api?.stop();
});

describe('API client (derived from the route table)', () => {
  it('fills path parameters and the query, and parses the answer with the contract', async () => {
    const board = await f.board();
    await f.agent(board.id, { name: 'Client worker' });
    const list = await client()('listAgents', { query: { board_id: board.id, limit: 5 } });
    expect(list.limit).toBe(5);
    expect(list.items.map((a) => a.name)).toEqual(['Client worker']);
    const one = await client()('getBoard', { params: { board_id: board.id } });
    expect(one.id).toBe(board.id);
  });

  it('answers the first identical GET from the early read the entry script started, once', async () => {
    const board = await f.board();
    await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Early bird' }).expect(200);
    const requested: string[] = [];
    const options = {
      baseUrl: api.url,
      getToken: () => api.backend.localToken,
      fetch: ((input, init) => {
        requested.push(String(input).slice(api.url.length));
        return fetch(input, init);
      }) as typeof fetch,
    };
    const early = startEarlyRead(options, boardSnapshotPath(board.id));
    expect(requested).toEqual([`/api/v1/boards/${board.id}/snapshot`]);
    const call = createApiClient({ ...options, early: [early] });
    // Another request is not answered from it…
    await call('getBoard', { params: { board_id: board.id } });
    expect(requested).toHaveLength(2);
    // …the snapshot is, validated like any answer…
    const snap = await call('boardSnapshot', { params: { board_id: board.id } });
    expect(snap.tasks.map((t) => t.title)).toEqual(['Early bird']);
    expect(requested).toHaveLength(2);
    // …and only once: the next read goes to the server.
    await call('boardSnapshot', { params: { board_id: board.id } });
    expect(requested).toHaveLength(3);
  });

  it('an early read refused (signed out) surfaces as the same ApiError a normal request gives', async () => {
    const board = await f.board();
    const early = startEarlyRead({ baseUrl: api.url }, boardSnapshotPath(board.id));
    const err = await createApiClient({ baseUrl: api.url, early: [early] })('boardSnapshot', { params: { board_id: board.id } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
  });

  it('turns a 422 into an ApiError naming the fields, and a 401 into status 401', async () => {
    const err = await client()('createBoard', { body: { name: '', description: 'x', gateway_id: 'nope' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).message).toMatch(/name: .*gateway_id: /);
    const anon = createApiClient({ baseUrl: api.url });
    const denied = await anon('listBoards').catch((e: unknown) => e);
    expect((denied as ApiError).status).toBe(401);
  });
});

describe('app store', () => {
  it('init reads everything once signed in; a refused sign-in says so in words', async () => {
    const gateway = await f.gateway({ name: 'Store gateway' });
    const store = createAppStore(client());
    await store.getState().init();
    const s = store.getState();
    expect(s.session).toBe('ready');
    expect(s.gateways.map((g) => g.id)).toContain(gateway.id);
    expect(s.settings?.max_wake_attempts).toBe(3);
    expect(s.discovered).not.toBeNull();

    const anon = createAppStore(createApiClient({ baseUrl: api.url }));
    await anon.getState().init();
    expect(anon.getState().session).toBe('signed-out');
    await anon.getState().signIn('definitely-not-the-token');
    expect(anon.getState().error).toContain('was not accepted');
    expect(anon.getState().session).toBe('signed-out');
  });

  it('an agent action replaces that agent in place and reports the gateway’s reason', async () => {
    const board = await f.board();
    const worker = await f.agent(board.id, { name: 'Wake me' });
    const store = createAppStore(client());
    await store.getState().refresh();
    const before = store.getState().agents.find((a) => a.id === worker.id)!;
    await store.getState().agentAction(worker.id, 'wake');
    const after = store.getState().agents.find((a) => a.id === worker.id)!;
    // A manual wake starts a new ladder: attempt 1, a fresh deadline.
    expect(after.wake_attempts).toBe(1);
    expect(after.last_wake_sent_at).not.toBe(before.last_wake_sent_at);
    expect(after.checkin_deadline_at).not.toBeNull();
    // The wake is answered before the gateway: the toast says it was requested…
    expect(store.getState().toasts.at(-1)).toMatchObject({ tone: 'ok' });
    expect(store.getState().toasts.at(-1)?.text).toMatch(/Wake requested/);
    expect(store.getState().busy).toEqual({});
    // …and the outcome (nothing listens at the test gateway) arrives on the agent's record.
    const failed = await until(
      'the wake’s outcome',
      async () => {
        await store.getState().refresh();
        return store.getState().agents.find((a) => a.id === worker.id)!.last_provision_error;
      },
      (e) => e !== null,
      10_000,
    );
    expect(failed).toContain('Nothing answered at the gateway URL');

    // Deleting needs the gateway (the agent is removed there first): refused in words, the row stays.
    await store.getState().agentAction(worker.id, 'delete');
    expect(store.getState().agents.some((a) => a.id === worker.id)).toBe(true);
    expect(store.getState().toasts.at(-1)?.tone).toBe('bad');
    // The gateway is gone for good: remove only the record.
    await store.getState().agentAction(worker.id, 'force-delete');
    expect(store.getState().agents.some((a) => a.id === worker.id)).toBe(false);
    await api.user('get', `/api/v1/agents/${worker.id}`).expect(404);
  });
});

describe('board store', () => {
  it('a move the approval gate refuses goes back, with the gate’s words; after approval it sticks', async () => {
    const board = await f.board({ require_approval_for_done: true });
    const worker = await f.agent(board.id, { name: 'Doer' });
    const store = createBoardStore(client());
    await store.getState().load(board.id);
    expect(store.getState().board?.id).toBe(board.id);
    const task = await store.getState().createTask({ title: 'Ship it' });

    expect(await store.getState().updateTask(task.id, { assigned_agent_id: worker.id })).toBe(true);
    expect(await store.getState().moveTask(task.id, 'in_progress')).toBe(true);
    expect(store.getState().tasks.find((t) => t.id === task.id)).toMatchObject({ status: 'in_progress', assigned_agent_id: worker.id });

    expect(await store.getState().moveTask(task.id, 'done')).toBe(false);
    expect(store.getState().tasks.find((t) => t.id === task.id)?.status).toBe('in_progress');
    expect(store.getState().refusal).toEqual({
      taskId: task.id,
      taskTitle: 'Ship it',
      target: 'done',
      message: 'Task can only be marked done when a linked approval has been approved.',
    });

    await store.getState().requestApproval(task.id);
    const approval = store.getState().approvals[0]!;
    await store.getState().resolveApproval(approval.id, 'approved');
    expect(store.getState().approvals[0]?.status).toBe('approved');
    expect(await store.getState().moveTask(task.id, 'done')).toBe(true);
    expect(store.getState().refusal).toBeNull();

    await store.getState().addComment(task.id, 'Shipped.');
    await store.getState().loadComments(task.id);
    expect(store.getState().comments[task.id]?.map((c) => c.message)).toEqual(['Shipped.']);
    await store.getState().sendChat('All done here');
    expect(store.getState().chat.at(-1)?.content).toBe('All done here');

    // A reload reads the same state back from the server.
    await store.getState().reload();
    expect(store.getState().tasks.find((t) => t.id === task.id)?.status).toBe('done');
  });

  it('a load already on its way is shared (start-up prefetch + the page mounting): one snapshot request', async () => {
    const board = await f.board();
    await api.user('post', `/api/v1/boards/${board.id}/tasks`).send({ title: 'Only once' }).expect(200);
    const snapshotReads: string[] = [];
    const counting = createApiClient({
      baseUrl: api.url,
      getToken: () => api.backend.localToken,
      fetch: (input, init) => {
        if (String(input).endsWith('/snapshot')) snapshotReads.push(String(input));
        return fetch(input, init);
      },
    });
    const store = createBoardStore(counting);
    const first = store.getState().load(board.id);
    const second = store.getState().load(board.id);
    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(snapshotReads).toHaveLength(1);
    expect(store.getState().tasks.map((t) => t.title)).toEqual(['Only once']);
    // Once it has landed, the next load (the reload tick) reads again.
    await store.getState().reload();
    expect(snapshotReads).toHaveLength(2);
    // Away to another board and straight back while the first read is on its way: the store is on
    // the board asked for last, with its tasks.
    const other = await f.board();
    const away = store.getState().load(board.id);
    void store.getState().load(other.id);
    await Promise.all([away, store.getState().load(board.id)]);
    expect(store.getState().boardId).toBe(board.id);
    expect(store.getState().tasks.map((t) => t.title)).toEqual(['Only once']);
  });

  it('a prefetch refused before sign-in does not show as the board’s error while the next read runs', async () => {
    const board = await f.board();
    let token: string | null = null;
    const store = createBoardStore(createApiClient({ baseUrl: api.url, getToken: () => token }));
    await store.getState().load(board.id);
    expect(store.getState().error).toBeTruthy();
    expect(store.getState().board).toBeNull();

    token = api.backend.localToken; // signed in
    const next = store.getState().load(board.id);
    expect(store.getState()).toMatchObject({ error: null, loading: true });
    await next;
    expect(store.getState()).toMatchObject({ error: null, loading: false });
    expect(store.getState().board?.id).toBe(board.id);
  });
});

describe('live agent events', () => {
  it('a wake reaches the subscriber as a parsed agent record', async () => {
    const board = await f.board();
    const worker = await f.agent(board.id, { name: 'Live one' });
    const states: StreamState[] = [];
    const seen: AgentRead[] = [];
    let connected!: () => void;
    const ready = new Promise<void>((r) => (connected = r));
    const sub = subscribeAgentEvents(
      { baseUrl: api.url, getToken: () => api.backend.localToken },
      { onAgent: (a) => seen.push(a), onState: (s) => states.push(s), onConnected: () => connected() },
    );
    try {
      await ready;
      await api.user('post', `/api/v1/agents/${worker.id}/wake`).expect(200);
      const deadline = Date.now() + 10_000;
      while (!seen.some((a) => a.id === worker.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const event = seen.find((a) => a.id === worker.id);
      expect(event).toMatchObject({ id: worker.id, name: 'Live one', wake_attempts: 1 });
      expect(event?.checkin_deadline_at).not.toBeNull();
      expect(states.slice(0, 2)).toEqual(['connecting', 'live']);
    } finally {
      sub.close();
    }
  });
});

describe('live gateway status in the app store', () => {
  it('a gateway event from the stream replaces the listed gateway in place (same slot, new record)', async () => {
    const store = createAppStore(client());
    await store.getState().init();
    let connected!: () => void;
    const ready = new Promise<void>((r) => (connected = r));
    const sub = subscribeAgentEvents(
      { baseUrl: api.url, getToken: () => api.backend.localToken },
      {
        onAgent: (a) => store.getState().applyAgent(a),
        onGateway: (g) => store.getState().applyGateway(g),
        onState: (state) => store.getState().setStream(state),
        onConnected: () => connected(),
      },
    );
    try {
      await ready;
      // Nothing listens at its URL: its connection fails and retries, which the stream reports.
      const created = await f.gateway({ name: 'Streamed into the store' });
      await store.getState().refreshGateways(); // the store lists it (as the UI does after creating one)…
      const listed = () => store.getState().gateways.find((g) => g.id === created.id);
      const before = listed();
      const slot = store.getState().gateways.findIndex((g) => g.id === created.id);
      // …and from then on its status arrives only through the stream (no further reads here).
      const deadline = Date.now() + 15_000;
      while (listed() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(listed()).not.toBe(before);
      expect(listed()?.last_error?.code).toBe('unreachable');
      expect(store.getState().gateways.findIndex((g) => g.id === created.id)).toBe(slot);
    } finally {
      sub.close();
    }
  });

  it('applyGateway ignores a gateway it does not list (the next full read brings it)', async () => {
    const store = createAppStore(client());
    await store.getState().init();
    const gateways = store.getState().gateways;
    const stranger = { ...gateways[0]!, id: '00000000-0000-4000-8000-0000000000ff' };
    store.getState().applyGateway(stranger);
    expect(store.getState().gateways).toBe(gateways);
  });
});

describe('settings in the app store', () => {
  it('saves through PATCH /settings and shows the answer; a refused value is an ApiError naming the field', async () => {
    const store = createAppStore(client());
    await store.getState().init();
    const saved = await store.getState().updateSettings({ base_url: 'http://agents.example.test:8000/' });
    expect(saved.editable.base_url.saved).toBe('http://agents.example.test:8000');
    expect(store.getState().settings).toBe(saved);
    expect(store.getState().settings?.restart_required).toBe(true);
    const err = await store
      .getState()
      .updateSettings({ port: 9999 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).message).toMatch(/^port: set by the start options/);
    expect(store.getState().settings).toBe(saved); // unchanged by the refusal
    await store.getState().updateSettings({ base_url: null });
    expect(store.getState().settings?.restart_required).toBe(false);
  });
});
