import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isThisMachine } from '../../backend/diagnostics/checks/same-user-exec.js';

/** Which gateway URLs the same-user exec check treats as "on this machine". */
describe('isThisMachine', () => {
  it('loopback in every spelling, this host’s name', () => {
    for (const url of ['ws://127.0.0.1:18789', 'ws://127.1.2.3:1', 'wss://localhost:443', 'ws://[::1]:18789', `ws://${hostname()}:18789`]) {
      expect(isThisMachine(url), url).toBe(true);
    }
  });
  it('another host, or not a URL', () => {
    for (const url of ['wss://gateway.example.com', 'ws://10.255.255.1:18789', 'not a url']) expect(isThisMachine(url), url).toBe(false);
  });
});
