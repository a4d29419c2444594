import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents as agentsTable } from '../../backend/db/schema.js';
import { fixtures, manualClock, startTestApi, useTestApi } from '../support/api.js';

/*
 * The heartbeat's hot path keeps no SQLite on a steady check-in (docs/performance.md): agent rows are
 * served from an authentication cache and check-in times are written behind. These tests pin what
 * must not change because of that: revoked tokens fail at once, reads see fresh times, state changes
 * are written at once, and a stop writes everything.
 */
const clock = manualClock();
const api = useTestApi({}, { now: clock.now });
const f = fixtures(api);

const heartbeat = (token: string) => api.agent(token, 'post', '/api/v1/agent/heartbeat');
/** The row as stored, bypassing every cache and overlay. */
const stored = (id: string) => api.backend.services.ctx.db.select().from(agentsTable).where(eq(agentsTable.id, id)).get();

/** An agent that has checked in once (provisioning → online) and so is in the steady state. */
async function onlineAgent() {
  const board = await f.board();
  const agent = await f.agent(board.id);
  await heartbeat(agent.token).expect(200);
  return agent;
}

describe('heartbeat authentication cache', () => {
  it('a rotation makes the cached old token fail at once, attributed to the agent', async () => {
    const agent = await onlineAgent();
    await heartbeat(agent.token).expect(200); // served from the cache now
    const fresh = await f.tokenFor(agent.id);
    const denied = await heartbeat(agent.token).expect(401);
    expect(denied.body.detail).toMatch(/rotated/);
    await heartbeat(fresh).expect(200);
    await heartbeat(agent.token).expect(401);
    const failures = api.backend.services.agentAuth.recentFailures({ since: new Date(0), agentIds: [agent.id] });
    expect(failures).toEqual([expect.objectContaining({ agent_id: agent.id, reason: 'retired_token', count: 2 })]);
  });

  it('a deleted agent’s cached token is refused at once', async () => {
    const agent = await onlineAgent();
    await heartbeat(agent.token).expect(200);
    await api.user('delete', `/api/v1/agents/${agent.id}?force=true`).expect(200);
    const denied = await heartbeat(agent.token).expect(401);
    expect(denied.body.detail).toBe('Invalid agent token.');
  });

  it('a write to the row by anyone else (here: straight into the database) is seen by the next check-in', async () => {
    const agent = await onlineAgent();
    await heartbeat(agent.token).expect(200);
    // What the supervisor does when the ladder gives up: not through the agents service.
    api.backend.services.ctx.db
      .update(agentsTable)
      .set({ status: 'offline', lastProvisionError: 'gave up', wakeAttempts: 3 })
      .where(eq(agentsTable.id, agent.id))
      .run();
    const hb = await heartbeat(agent.token).expect(200);
    expect(hb.body).toMatchObject({ status: 'online', wake_attempts: 0, last_provision_error: null });
    // A state change: written through, with its activity row.
    expect(stored(agent.id)).toMatchObject({ status: 'online', wakeAttempts: 0, lastProvisionError: null });
    const events = await api.user('get', `/api/v1/activity?event_type=agent.heartbeat`).expect(200);
    expect(events.body.items.filter((e: { agent_id: string }) => e.agent_id === agent.id)).toHaveLength(2);
  });
});

describe('write-behind check-in times', () => {
  it('a steady check-in is deferred, yet reads through the API see it at once', async () => {
    const agent = await onlineAgent();
    const first = stored(agent.id)!.lastSeenAt!.getTime();
    clock.advance(60_000);
    const hb = await heartbeat(agent.token).expect(200);
    const now = clock.now().toISOString();
    expect(hb.body.last_seen_at).toBe(now);
    expect(stored(agent.id)!.lastSeenAt!.getTime()).toBe(first); // not written yet: deferral is real
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body).toMatchObject({ last_seen_at: now, updated_at: now });
    const list = await api.user('get', '/api/v1/agents?limit=200').expect(200);
    expect(list.body.items.find((a: { id: string }) => a.id === agent.id)).toMatchObject({ last_seen_at: now });
    const health = await api.agent(agent.token, 'get', '/api/v1/agent/healthz').expect(200);
    expect(health.body.status).toBe('online');

    api.backend.services.agents.presence.flushAll();
    expect(stored(agent.id)).toMatchObject({ lastSeenAt: new Date(now), updatedAt: new Date(now) });
  });

  it('a check-in after silence long enough to read as offline is written at once', async () => {
    const agent = await onlineAgent();
    clock.advance(16 * 60_000); // past max(10 min, 1.5 × 10 min)
    expect((await api.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body.status).toBe('offline');
    await heartbeat(agent.token).expect(200);
    expect(stored(agent.id)!.lastSeenAt).toEqual(clock.now());
  });

  it('another write to the agent’s row flushes its pending time in the next turn', async () => {
    const agent = await onlineAgent();
    clock.advance(30_000);
    await heartbeat(agent.token).expect(200);
    const seen = clock.now();
    expect(stored(agent.id)!.lastSeenAt).not.toEqual(seen);
    api.backend.services.ctx.db
      .update(agentsTable)
      .set({ lastWakeSentAt: new Date(seen.getTime() - 1) })
      .where(eq(agentsTable.id, agent.id))
      .run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored(agent.id)!.lastSeenAt).toEqual(seen);
  });

  it('a flush never moves last_seen_at backwards', async () => {
    const agent = await onlineAgent();
    clock.advance(10_000);
    await heartbeat(agent.token).expect(200);
    const later = new Date(clock.now().getTime() + 5_000);
    // Written meanwhile by a write-through path with a newer time (only presence columns: no flush is triggered).
    api.backend.services.ctx.db.update(agentsTable).set({ lastSeenAt: later, updatedAt: later }).where(eq(agentsTable.id, agent.id)).run();
    expect(api.backend.services.agents.presence.pendingCount()).toBeGreaterThan(0);
    api.backend.services.agents.presence.flushAll();
    expect(stored(agent.id)).toMatchObject({ lastSeenAt: later, updatedAt: later });
  });
});

describe('write-behind across a restart', () => {
  it('stop writes pending check-in times: they survive a restart', async () => {
    const first = await startTestApi({}, { now: clock.now });
    const ff = fixtures(first);
    const board = await ff.board();
    const agent = await ff.agent(board.id);
    await first.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    clock.advance(45_000);
    await first.agent(agent.token, 'post', '/api/v1/agent/heartbeat').expect(200);
    const seen = clock.now().toISOString();
    expect(first.backend.services.agents.presence.pendingCount()).toBe(1);
    await first.stop(false);

    const second = await startTestApi({ dataDir: first.dataDir }, { now: clock.now });
    try {
      expect((await second.user('get', `/api/v1/agents/${agent.id}`).expect(200)).body).toMatchObject({
        last_seen_at: seen,
        status: 'online',
      });
    } finally {
      await second.stop();
    }
  });
});
