import { afterAll, beforeAll } from 'vitest';
import { startTestApi, type TestApi } from './api.js';
import { startFakeFlakyGatewayProxy, type FakeFlakyGatewayProxy } from './openclaw/fake-flaky-gateway-proxy.js';

/**
 * A test file's Mission Control and a FAKE fault-injecting proxy in front of the REAL gateway (see
 * fake-flaky-gateway-proxy.ts), started before its tests and stopped after them.
 */
export function useFlakyGateway(gatewayUrl: string): { api: () => TestApi; proxy: () => FakeFlakyGatewayProxy } {
  let api: TestApi | undefined;
  let proxy: FakeFlakyGatewayProxy | undefined;
  beforeAll(async () => {
    proxy = await startFakeFlakyGatewayProxy(gatewayUrl);
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.stop();
    await proxy?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFlakyGateway: used before its beforeAll ran');
    return value;
  };
  return { api: () => ready(api), proxy: () => ready(proxy) };
}
