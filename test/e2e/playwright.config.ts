import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser; and nothing that would reach the internet.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.e2e\.ts$/,
  timeout: 240_000,
  expect: { timeout: 20_000 },
  workers: 1,
  // One retry, reported by Playwright as "flaky" (never silently green): the PEM-key e2e timed out once
  // under a full CI run (21.7 s vs 2.4 s alone) and passed on rerun; see the session 3 note.
  retries: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: '../../node_modules/.cache/causeway-e2e-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    viewport: { width: 1100, height: 760 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
