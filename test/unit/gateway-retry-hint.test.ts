import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGatewayConnection } from '../../backend/gateway/connection.js';
import { loadOrCreateDeviceIdentity } from '../../backend/gateway/device-identity.js';
import { createLogger } from '../../backend/logging.js';
import { startFakeRefusingGateway } from '../support/fake-refusing-gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-retry-hint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a gateway’s retry hint', () => {
  it('2^31 ms (more than setTimeout holds) waits the 5 min cap instead of overflowing into a 1 ms reconnect loop', async () => {
    const fake = await startFakeRefusingGateway(2 ** 31 + 5);
    const connection = createGatewayConnection({
      url: fake.url,
      token: 'fake-refusing-token',
      allowInsecureTls: false,
      identity: loadOrCreateDeviceIdentity(join(dir, 'device.json')),
      deviceToken: null,
      logger: createLogger({ level: 'silent' }),
      clientVersion: 'test',
    });
    try {
      await expect(connection.ready(5_000, { failFast: true })).rejects.toMatchObject({ code: 'starting', retryAfterMs: 2 ** 31 + 5 });
      expect(connection.state).toBe('waiting');
      // An overflowed timer fires after 1 ms: in this pause it would have reconnected hundreds of times.
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.connects()).toBe(1);
      expect(connection.state).toBe('waiting');
    } finally {
      connection.close();
      await fake.stop();
    }
  });
});
