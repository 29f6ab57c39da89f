/// <reference lib="dom" />
// A desktop without any keyring: the real keychain backend on a session bus where no Secret Service
// runs. The app must still connect — it says once, in the password dialog, why nothing can be
// remembered, asks at each connect, and writes the password nowhere.
import { expect, test, type Page } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

let host: E2eHost;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startE2eHost({ keychain: 'absent' });
});
test.afterAll(async () => {
  await host?.stop();
});

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

async function connectWithTypedPassword(page: Page, password: string): Promise<void> {
  const row = page.locator('li[data-profile="No keyring"]');
  await row.getByRole('button', { name: 'Connect No keyring' }).click();
  const dialog = page.getByRole('dialog', { name: 'Password for No keyring' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('keychain-unavailable')).toContainText('no keyring service is running');
  await expect(dialog.getByText('Remember in the system keychain')).toHaveCount(0);
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
}

test('no Secret Service: asked for the password at each connect, connected, nothing written in clear', async ({
  page,
}) => {
  test.skip(host.softether === null, host.skip ?? 'no SoftEther server');
  expect(host.keychain).toBe('absent');
  const s = host.softether!;
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();

  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('No keyring');
  await page.getByLabel('Server host').fill(s.host);
  await page.getByLabel('User name', { exact: true }).fill(s.username);
  await page.getByLabel('Trusted certificate (SHA-256)').fill(s.sha256);
  await page.getByRole('button', { name: 'Create profile' }).click();

  await connectWithTypedPassword(page, s.password);
  const row = page.locator('li[data-profile="No keyring"]');
  await page.getByRole('button', { name: 'Disconnect No keyring' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });

  // The typed password was for that connection only: the next one asks again.
  await connectWithTypedPassword(page, s.password);
  await page.getByRole('button', { name: 'Disconnect No keyring' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });

  for (const file of await files(host.dataDir)) {
    expect((await readFile(file)).includes(Buffer.from(s.password)), `${file} holds the password`).toBe(false);
  }
});
