import { isLoopbackHost } from '../contract/gateways.js';

/*
 * Credentials belong to one gateway, and a gateway is a host and a port: two gateways can run on one
 * machine on two ports (the tests do), and ws:// and wss:// to the same host and port are the same
 * gateway. The names of this machine (localhost, 127.x, ::1) are one host: the token of the gateway on
 * this machine's port 18789 is for whatever listens on this machine's port 18789.
 */

/** `host:port` of a gateway URL, loopback names folded into one; null for a URL that does not parse. */
export function gatewayEndpoint(url: string): string | null {
  try {
    const u = new URL(url);
    const host = isLoopbackHost(u.hostname) ? 'loopback' : u.hostname.toLowerCase();
    const port = u.port || (u.protocol === 'wss:' ? '443' : '80');
    return `${host}:${port}`;
  } catch {
    return null;
  }
}

/** Do these two URLs name the same gateway (so its credentials may go to both)? */
export function sameGatewayEndpoint(a: string, b: string): boolean {
  const ea = gatewayEndpoint(a);
  return ea !== null && ea === gatewayEndpoint(b);
}
