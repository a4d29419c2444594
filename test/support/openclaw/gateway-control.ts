/**
 * Halts or restarts the shared real gateway through the global setup's loopback control endpoint
 * (same port, state and token after a restart), for the outage tests.
 */
export function gatewayControl(controlUrl: string) {
  return async (action: 'halt' | 'restart' | 'crash'): Promise<void> => {
    const res = await fetch(`${controlUrl}/${action}`, { method: 'POST' });
    if (res.status !== 204) throw new Error(`harness ${action} failed: ${await res.text()}`);
  };
}
