import WebSocket, { type RawData } from 'ws';

/*
 * The plumbing the fault-injecting proxies share (each is FAKE on purpose, see its own file): text of a
 * frame, and tying a client socket to its upstream socket so that either side's close or error ends both.
 */

export const frameText = (data: RawData): string =>
  (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');

/** Close codes a peer may send (1005/1006 only describe a close without one). */
const sendable = (code: number): number => (code === 1005 || code === 1006 ? 1000 : code);

/** Either side closing or failing ends the other; `onEnd` runs when the pair is gone. */
export function tiePair(client: WebSocket, upstream: WebSocket, onEnd: () => void): void {
  upstream.on('close', (code, reason) => {
    if (client.readyState === WebSocket.OPEN) client.close(sendable(code), reason);
    onEnd();
  });
  client.on('close', (code, reason) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.close(sendable(code), reason);
    else upstream.terminate();
    onEnd();
  });
  upstream.on('error', () => client.terminate());
  client.on('error', () => upstream.terminate());
}
