import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { CHROMIUM, E2E } from './test/e2e/e2e-env.js';

/*
 * Playwright drives Debian's Chromium (never `playwright install`: it downloads) against the built app
 * served headless, with a real OpenClaw gateway and the scripted model — all started by the global
 * setup (test/e2e/global-setup.ts), which reuses the integration harness in test/support/openclaw.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // One backend and one gateway serve every spec (global setup), so order matters: ui.spec starts from an
  // empty app (first-run empty states); the sync/doctor and guided-flow specs add agents of their own after it
  // (workers: 1, so they never overlap) and delete them again.
  projects: [
    { name: 'ui', testMatch: 'ui.spec.ts' },
    { name: 'electron', testMatch: 'electron.spec.ts' },
    { name: 'sync-and-doctor', testMatch: 'sync-and-doctor.spec.ts', dependencies: ['ui'] },
    // Stops and restarts the shared gateway (through the harness) and changes the log level: each test puts them back.
    { name: 'guided-flows', testMatch: 'guided-flows.spec.ts', dependencies: ['ui'] },
    // A page on another 127.0.0.1 port attacks the signed-in session: uses (never changes) ui.spec's gateway and main agent.
    { name: 'cross-origin', testMatch: 'cross-origin.spec.ts', dependencies: ['ui'] },
    // The seed events of a healthy and a silent agent of its own on the Logs page; the Schedules card's refusal.
    { name: 'logs', testMatch: 'logs.spec.ts', dependencies: ['ui'] },
  ],
  outputDir: 'test-results/playwright',
  globalSetup: './test/e2e/global-setup.ts',
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 120_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: `http://127.0.0.1:${E2E.port}`,
    colorScheme: 'light',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      ...(existsSync(CHROMIUM) && { executablePath: CHROMIUM }),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
