// What the Preferences specs share: one app host on the real services without a VPN server, for the
// whole (serial) file, the Preferences page opened on a fresh load, and a config file read back as
// JSON — the settings are judged by what is saved on disk, not only by what the page shows.
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

export interface PreferencesHost {
  /** The running host; only valid inside a test (it starts in beforeAll). */
  readonly host: () => E2eHost;
  /** A fresh load of the app (the URL carries the socket's token), then Preferences. */
  readonly openPreferences: (page: Page) => Promise<void>;
  /** <data>/config/<file>, parsed. */
  readonly readConfig: (file: string) => Promise<unknown>;
}

/** Call once at the top of a spec file: registers serial mode and the host's start and stop. */
export function usePreferencesHost(): PreferencesHost {
  let host: E2eHost | undefined;
  test.describe.configure({ mode: 'serial' });
  test.beforeAll(async () => {
    host = await startE2eHost({ server: false });
  });
  test.afterAll(async () => {
    await host?.stop();
  });
  const running = (): E2eHost => {
    if (host === undefined) throw new Error('the e2e host is not running (used outside a test?)');
    return host;
  };
  return {
    host: running,
    openPreferences: async (page) => {
      await page.goto(running().url);
      await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
      await page.getByRole('button', { name: 'Preferences' }).click();
    },
    readConfig: async (file) => JSON.parse(await readFile(join(running().dataDir, 'config', file), 'utf8')),
  };
}
