/** Messages between the bench orchestrators and their child processes (over the fork IPC channel). */

/** The stages of layers-server.ts, cheapest first (see breakdown.ts). */
export const LAYERS = ['http', 'auth', 'full'] as const;
export type Layer = (typeof LAYERS)[number];

export interface RoundSpec {
  url: string;
  path: string;
  connections: number;
  durationSeconds: number;
  /** Sent round-robin across all connections, so load is spread over many agent rows. */
  tokens: string[];
}

export interface RoundResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
}

export type ToChild = { type: 'seed'; total: number } | { type: 'round'; spec: RoundSpec };

export type FromChild =
  | { type: 'ready'; url: string }
  | { type: 'seeded'; tokens: string[]; seedMs: number }
  | { type: 'result'; result: RoundResult }
  | { type: 'error'; message: string };
