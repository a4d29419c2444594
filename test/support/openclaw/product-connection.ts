import { join } from 'node:path';
import { createGatewayConnection } from '../../../backend/gateway/connection.js';
import { loadOrCreateDeviceIdentity } from '../../../backend/gateway/device-identity.js';
import { createLogger } from '../../../backend/logging.js';

/** The product's own one-shot gateway connection (its device identity kept in `dir`), for tests of the client itself. */
export function productConnection(url: string, token: string, dir: string) {
  return createGatewayConnection({
    url,
    token,
    allowInsecureTls: false,
    identity: loadOrCreateDeviceIdentity(join(dir, 'device.json')),
    deviceToken: null,
    logger: createLogger({ level: 'silent' }),
    clientVersion: 'test',
    reconnect: false,
  });
}
