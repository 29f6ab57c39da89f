/// <reference lib="dom" />
// MFA push pacing in the app: the strict peer holds its MS-CHAPv2 answer 8 s; the status view says to
// approve the sign-in on the phone with a countdown from the 60 s authentication wait, then connects.
import { expect, test } from '@playwright/test';
import { startPeerE2eHost, type PeerE2eHost } from './host.js';

let host: PeerE2eHost;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  host = await startPeerE2eHost(8_000);
});
test.afterAll(async () => {
  await host?.stop();
});

test('a slow sign-in shows "approve the sign-in on your phone" with a countdown, then connects', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Connect MFA lab' }).click();
  const hint = page.getByTestId('auth-wait');
  await expect(hint).toBeVisible({ timeout: 10_000 });
  await expect(hint).toContainText('Approve the sign-in on your phone');
  await expect(hint).toContainText('authentication wait is 60 s');
  const left = page.getByTestId('auth-wait-left');
  const first = Number((await left.textContent())?.replace(/\D/g, ''));
  expect(first).toBeGreaterThan(50);
  expect(first).toBeLessThanOrEqual(58);
  // It counts down while the server holds the answer.
  await expect
    .poll(async () => Number((await left.textContent())?.replace(/\D/g, '')), { timeout: 5_000 })
    .toBeLessThan(first);
  const row = page.locator('li[data-profile="MFA lab"]');
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await expect(hint).toHaveCount(0);
  await page.getByRole('button', { name: 'Disconnect MFA lab' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });
});
