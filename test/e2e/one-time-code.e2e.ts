/// <reference lib="dom" />
// One-time codes in the app against the strict peer (each code accepted once, the link dropped 4 s
// after IPCP): the dialog asks at connect; after the drop it asks again, refuses the spent code
// itself, and a fresh one reconnects. The data home never holds a code.
import { expect, test } from '@playwright/test';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startPeerE2eHost, type PeerE2eHost } from './host.js';

let host: PeerE2eHost;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  host = await startPeerE2eHost(0, { otp: true });
});
test.afterAll(async () => {
  await host?.stop();
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

test('connect asks for a code; after a drop the reconnect asks for a new one and never reuses the old', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  const row = page.locator('li[data-profile="OTP lab"]');
  await page.getByRole('button', { name: 'Connect OTP lab' }).click();
  const dialog = page.getByRole('dialog', { name: 'One-time code for OTP lab' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Code').fill('111111');
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });

  // The peer drops the link: the reconnect waits for a new code.
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  await expect(dialog).toContainText('dropped');
  await dialog.getByLabel('Code').fill('111111');
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog.getByTestId('otp-reason')).toContainText('already used');
  await dialog.getByLabel('Code').fill('222222');
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Disconnect OTP lab' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });

  for (const f of await filesUnder(host.dataDir)) {
    const text = await readFile(f, 'latin1');
    expect(text.includes('111111') || text.includes('222222'), `${f} holds a one-time code`).toBe(false);
  }
});
