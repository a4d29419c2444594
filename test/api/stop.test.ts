import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api.js';
import { until } from '../support/doctor.js';
import { startFakeHungGateway, type FakeHungGateway } from '../support/fake-hung-gateway.js';

/*
 * Stop with a hung gateway (the FakeHungGateway: handshake, then no answer ever — the one fault a real
 * gateway cannot be made to produce). Before, stop() waited for the supervisor's lane, which waited
 * for the agent's lock, held by provisioning, which waited for its request's 30 s timeout — and the
 * gateway connections were closed only after that. Now the connections close first: the hung requests
 * are rejected with "Mission Control is stopping", the lanes end, and the database is always closed
 * cleanly. Evidence: the stop's phases in the `app.stopped` line, the trail, the database file.
 */

let fake: FakeHungGateway | undefined;
afterAll(async () => {
  await fake?.stop();
});

interface StoppedLine {
  event: string;
  phases?: { phase: string; outcome: string }[];
  gateway_requests_aborted?: number;
}

describe('stop with a hung gateway', () => {
  it('rejects the hung requests with "stopping", ends every phase without giving up, and closes the database cleanly', async () => {
    fake = await startFakeHungGateway();
    const api = await startTestApi({ logLevel: 'info' });
    let removed = false;
    try {
      // Saving the gateway provisions its main agent, which waits on the hung gateway (holding the agent's lock)…
      const saving = api
        .user('post', '/api/v1/gateways')
        .send({ name: 'FakeHung stop', url: fake.url, token: 'fake-hung-token' })
        .then((res) => res.status)
        .catch((err: Error) => err.message); // the server stops under it
      await until(
        'provisioning hung',
        async () => fake!.unanswered().length,
        (n) => n > 0,
        10_000,
      );
      const { sqlite } = api.backend.services.ctx;
      const agentId = sqlite.prepare('SELECT id FROM agents').pluck().get() as string;
      // …and the ladder's retry of the same agent is due: the next tick starts its lane, which waits for that lock.
      const due = Date.now() - 1_000;
      sqlite.prepare('UPDATE agents SET checkin_deadline_at = ?, reconcile_at = ? WHERE id = ?').run(due, due, agentId);
      const marked = Date.now();
      await until(
        'two ticks since',
        async () => api.backend.services.wakeLadder.lastTickAt?.getTime() ?? 0,
        (t) => t > marked + 50,
        10_000,
      );

      await api.backend.stop();
      await saving;

      // The database handle is closed, the WAL folded in (no -wal left, or an empty one).
      expect(() => api.backend.services.ready()).toThrow(/not open/);
      const dbFile = join(api.dataDir, 'mission-control.db');
      expect(!existsSync(`${dbFile}-wal`) || statSync(`${dbFile}-wal`).size === 0).toBe(true);
      const lines = readFileSync(join(api.dataDir, 'logs', 'mission-control.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as StoppedLine);
      const stopped = lines.find((l) => l.event === 'app.stopped');
      expect(stopped?.phases?.map((p) => p.phase)).toEqual(['loops', 'gateways', 'background work', 'http', 'local channel', 'database', 'instance', 'refusal log']);
      expect(stopped?.phases?.every((p) => p.outcome === 'done')).toBe(true);
      expect(stopped?.gateway_requests_aborted).toBeGreaterThanOrEqual(1);
      // Reopened: no recovery needed, intact, and what the stop interrupted says why.
      const reopened = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        expect(reopened.pragma('quick_check', { simple: true })).toBe('ok');
        const said = reopened
          .prepare(
            "SELECT message FROM lifecycle_events WHERE agent_id = ? UNION ALL SELECT coalesce(last_provision_error, '') FROM agents WHERE id = ?",
          )
          .pluck()
          .all(agentId, agentId) as string[];
        expect(said.some((m) => m.includes('Mission Control is stopping'))).toBe(true);
      } finally {
        reopened.close();
      }
      rmSync(api.dataDir, { recursive: true, force: true });
      removed = true;
    } finally {
      if (!removed) await api.stop();
    }
  });
});
