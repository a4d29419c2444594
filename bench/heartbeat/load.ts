/**
 * The load generator, in its own process so autocannon never shares an event loop with the server
 * it measures. One round per 'round' message; the process lives for the whole run.
 */
import autocannon from 'autocannon';
import type { FromChild, RoundResult, RoundSpec, ToChild } from './protocol.js';

function round(spec: RoundSpec): Promise<RoundResult> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationSeconds,
        // One shared counter across all connections: consecutive requests hit different agents.
        requests: [
          {
            method: 'POST',
            path: spec.path,
            setupRequest: (req) => ({
              ...req,
              headers: { ...req.headers, 'x-agent-token': spec.tokens[next++ % spec.tokens.length] ?? '' },
            }),
          },
        ],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          reqPerSec: r['2xx'] / r.duration,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          ok: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        });
      },
    );
  });
}

process.on('message', (msg: ToChild) => {
  if (msg.type !== 'round') return;
  round(msg.spec).then(
    (result) => process.send?.({ type: 'result', result } satisfies FromChild),
    (err: unknown) => process.send?.({ type: 'error', message: String(err) } satisfies FromChild),
  );
});
process.on('disconnect', () => process.exit(0));
