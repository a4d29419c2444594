import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { agents } from '../../backend/db/schema.js';
import type { GatewayConnection } from '../../backend/gateway/connection.js';
import { GatewayError } from '../../backend/gateway/errors.js';
import { createGatewayManager, type GatewayManager } from '../../backend/gateway/manager.js';
import { createProvisioner, TokenMismatchError } from '../../backend/lifecycle/provisioner.js';
import { createGatewayStateStore } from '../../backend/services/gateways.js';
import {
  api,
  entryOf,
  fileOnGateway,
  gatewayId,
  gw,
  heartbeat,
  obedientWorker,
  suffix,
  sync,
  useSyncGateway,
  workspaceToken,
} from '../support/template-sync-gateway.js';

/*
 * Token rotation by the template sync on the real gateway: a paused board's agent is re-keyed, a token
 * that changed under the sync is reported, and a lost reply to the AGENTS.md write is adopted
 * (setup: test/support/template-sync-gateway.ts; the rest of the sync in template-sync.test.ts).
 */

useSyncGateway();

/**
 * Fault injection (the one use of a fake): every call goes to the real gateway, but the reply to the
 * first AGENTS.md write is lost after the gateway applied it, as when the connection drops just then.
 */
function FakeLostReplyManager(real: GatewayManager): GatewayManager {
  let dropped = false;
  const wrap = (conn: GatewayConnection): GatewayConnection =>
    new Proxy(conn, {
      get(target, prop, receiver) {
        if (prop !== 'request') return Reflect.get(target, prop, receiver) as unknown;
        return async (method: string, params: Record<string, unknown> = {}, opts?: object) => {
          const reply: unknown = await target.request(method, params, opts);
          if (!dropped && method === 'agents.files.set' && params.name === 'AGENTS.md') {
            dropped = true;
            throw new GatewayError('connection_lost', 'reply lost after the write (injected)');
          }
          return reply;
        };
      },
    });
  return { ...real, connection: (t) => wrap(real.connection(t)), ready: (t, ms, o) => real.ready(t, ms, o) };
}

describe('a paused board and a rotation (#13 item 1)', () => {
  it('rotate_tokens re-keys a paused board’s agent (old token refused, new one used); its own files are kept even with overwrite', async () => {
    const paused = await api
      .user('post', '/api/v1/boards')
      .send({ name: `Paused ${suffix}`, description: 'Paused', gateway_id: gatewayId, create_lead: false })
      .expect(200);
    const { id, key } = await obedientWorker('Paused', paused.body.id);
    const old = (await workspaceToken(key))!;
    await api
      .user('post', `/api/v1/boards/${paused.body.id}/memory`)
      .send({ content: '/pause', tags: ['chat'] })
      .expect(200);
    await gw('agents.files.set', { agentId: key, name: 'MEMORY.md', content: 'Paused notes.\n' });

    const plain = await sync(`board_id=${paused.body.id}&include_main=false`);
    expect(entryOf(plain.body, id)).toMatchObject({ outcome: 'skipped', token_rotated: false });
    expect(await workspaceToken(key)).toBe(old);

    const rotated = await sync(
      `board_id=${paused.body.id}&include_main=false&rotate_tokens=true&verify=true&overwrite=true&reset_sessions=true`,
    );
    expect(rotated.body.paused_board_ids).toEqual([paused.body.id]);
    expect(entryOf(rotated.body, id)).toMatchObject({
      outcome: 'updated',
      token_rotated: true,
      reason: expect.stringContaining('re-keyed only'),
      files_kept: expect.arrayContaining(['MEMORY.md']),
      verify: { woken: true, checked_in: true, old_token_refused: true },
    });
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    expect((await fileOnGateway(key, 'MEMORY.md')).content).toBe('Paused notes.\n');
    await heartbeat(old).expect(401);
    await heartbeat(current).expect(200);
  }, 180_000);
});

describe('no silent re-key, no split token', () => {
  const row = (id: string) => api.backend.services.ctx.db.select().from(agents).where(eq(agents.id, id)).get()!;

  it('a token that changed between the sync’s read and its write is reported; nothing is owed, so the next wake does not mint one', async () => {
    const { id, key } = await obedientWorker('Raced');
    const old = (await workspaceToken(key))!;
    // The workspace's token changes after the sync read it (hand edit, another tool).
    const other = randomBytes(32).toString('base64url');
    const agentsMd = (await fileOnGateway(key, 'AGENTS.md')).content ?? '';
    await gw('agents.files.set', { agentId: key, name: 'AGENTS.md', content: agentsMd.split(old).join(other) });

    // What the sync asks of the provisioner for this agent.
    await expect(
      api.backend.services.provisioner.provision(id, { action: 'update', wake: true, keepTokenOnly: true, newCycle: true }),
    ).rejects.toBeInstanceOf(TokenMismatchError);
    expect(row(id)).toMatchObject({ provisionAction: null, lastProvisionError: expect.stringContaining('rotate_tokens=true') });
    const trail = await api.user('get', `/api/v1/logs?event=lifecycle.token.mismatch&agent_id=${id}`).expect(200);
    expect(trail.body.items[0].message).toMatch(/token differs/);

    // The next wake only wakes: with an `update` left owed it would re-provision and mint a token.
    await api.user('post', `/api/v1/agents/${id}/wake`).expect(200);
    expect(await workspaceToken(key)).toBe(other);
    expect(api.backend.services.agents.tokenMatches(row(id), old)).toBe(true);
    // Put the workspace right again: later board-wide syncs expect no mismatch but their own.
    await gw('agents.files.set', { agentId: key, name: 'AGENTS.md', content: agentsMd });
  }, 180_000);

  it('rotation whose AGENTS.md reply is lost after the gateway wrote it: Mission Control adopts the new token', async () => {
    const { id, key } = await obedientWorker('Lost reply');
    const old = (await workspaceToken(key))!;
    const { ctx, agents: agentService } = api.backend.services;
    const real = createGatewayManager({
      identityFile: join(api.dataDir, 'gateway-device.json'),
      logger: ctx.logger,
      clientVersion: 'test',
      store: createGatewayStateStore(ctx),
    });
    try {
      const provisioner = createProvisioner({
        ctx,
        agents: agentService,
        manager: FakeLostReplyManager(real),
        baseUrl: api.backend.config.baseUrl,
      });
      await expect(
        provisioner.provision(id, { action: 'update', wake: false, rotateToken: true, keepTokenOnly: true, newCycle: true }),
      ).rejects.toThrow(/reply lost/);
    } finally {
      real.closeAll();
    }
    const current = (await workspaceToken(key))!;
    expect(current).not.toBe(old);
    await heartbeat(current).expect(200);
    await heartbeat(old).expect(401);
  }, 180_000);
});
