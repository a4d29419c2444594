import { defineConfig } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Playwright drives Debian's Chromium (never `playwright install`: it downloads) against the
 * headless server started from the built app. The runner's env is inherited by its workers, so
 * the data dir and the throwaway local token are chosen once here.
 */
export const CHROMIUM = process.env.MC_CHROMIUM ?? '/usr/bin/chromium';
const PORT = Number(process.env.MC_E2E_PORT ?? 18431);
process.env.MC_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'mc-e2e-'));
process.env.MC_E2E_TOKEN ??= `e2e-${Math.random().toString(36).slice(2)}-${'t'.repeat(60)}`;

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    colorScheme: 'light',
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
  webServer: {
    command: `npm run --silent build && node dist/backend/cli.js serve --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    env: {
      MC_DATA_DIR: process.env.MC_E2E_DATA_DIR,
      MC_LOCAL_AUTH_TOKEN: process.env.MC_E2E_TOKEN,
      MC_LOG_LEVEL: 'warn',
    },
  },
});
