/**
 * The check-in supervisor at scale: the cost of one reconcile tick with 5,000 agents (target < 20 ms),
 * and the CPU the backend's background loops use when nothing is happening.
 *
 *   npm run bench:reconcile
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { agents } from '../../backend/db/schema.js';
import { startBackend } from '../../backend/index.js';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 5000);
const TICKS = 200;
const dataDir = mkdtempSync(join(tmpdir(), 'mc-bench-reconcile-'));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const backend = await startBackend({ dataDir, port: 0, logLevel: 'error', logToStdout: false });
try {
  const { services } = backend;
  await services.wakeLadder.stop(); // ticks are driven here
  const gateway = await services.gateways.create({
    name: 'bench',
    url: 'ws://127.0.0.1:9',
    workspace_root: '~/.openclaw',
    disable_device_pairing: false,
    allow_insecure_tls: false,
    allow_cleartext: false,
    allow_offline: true,
    use_discovered_token: false,
  });
  const board = services.boards.create({
    name: 'bench',
    description: 'bench',
    gateway_id: gateway.id,
    board_type: 'goal',
    goal_confirmed: false,
    require_approval_for_done: true,
    require_review_before_done: false,
    comment_required_for_review: false,
    block_status_changes_with_pending_approval: false,
    only_lead_can_change_status: false,
    max_agents: AGENTS,
    create_lead: false,
  });
  const seedStart = performance.now();
  for (let i = 0; i < AGENTS; i++) services.agents.create({ name: `agent-${i}`, board_id: board.id, is_board_lead: false });
  console.log(`seeded ${AGENTS} agents in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // A realistic fleet: every agent checked in, a deadline pending for 10 % of them (in the future).
  const now = Date.now();
  services.ctx.db.update(agents).set({ lastSeenAt: new Date(now) }).run();
  services.ctx.db
    .update(agents)
    .set({ checkinDeadlineAt: new Date(now + 3_600_000), wakeAttempts: 1, lastWakeSentAt: new Date(now) })
    .where(sql`rowid % 10 = 0`)
    .run();

  const idleTicks: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    const t = performance.now();
    await services.wakeLadder.tick();
    idleTicks.push(performance.now() - t);
  }

  // A burst: 200 agents (one batch) whose last wake went unanswered → each is marked offline this tick.
  const busyTicks: number[] = [];
  for (let round = 0; round < 5; round++) {
    services.ctx.db.run(
      sql`UPDATE agents SET status = 'online', wake_attempts = 3, last_seen_at = NULL, last_wake_sent_at = ${now - 60_000}, checkin_deadline_at = ${now - 1_000} WHERE rowid IN (SELECT rowid FROM agents ORDER BY rowid LIMIT 200 OFFSET ${round * 200})`,
    );
    const t = performance.now();
    await services.wakeLadder.tick();
    busyTicks.push(performance.now() - t);
  }

  // Idle CPU: every background loop running (supervisor, outbox dispatcher, gateway reconnects), no traffic.
  services.wakeLadder.start();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerSecond = (cpu.user + cpu.system) / 1000 / ((performance.now() - wall0) / 1000);

  console.log(`\n| Measure (${AGENTS} agents) | Median | p99 | Target |`);
  console.log('|---|---:|---:|---|');
  console.log(`| Reconcile tick, nothing due (500 pending deadlines) | ${fmt(quantile(idleTicks, 0.5))} | ${fmt(quantile(idleTicks, 0.99))} | < 20 ms |`);
  console.log(`| Reconcile tick, 200 agents due → offline (one batch) | ${fmt(quantile(busyTicks, 0.5))} | ${fmt(Math.max(...busyTicks))} (max) | — |`);
  console.log(`| Idle CPU of the backend's loops | ${cpuMsPerSecond.toFixed(2)} ms CPU per s (${(cpuMsPerSecond / 10).toFixed(2)} % of a core) | | |`);
} finally {
  await backend.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
