/// <reference lib="dom" />
// The editor's sign-in options and MSS clamp on the real services (no VPN server needed): a
// one-time code mode, an authentication wait and the clamp are saved to the profile file, come back
// after a reload, and turning them off removes them; an out-of-range wait is refused next to its field.
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

let host: E2eHost;

test.beforeAll(async () => {
  host = await startE2eHost({ server: false });
});
test.afterAll(async () => {
  await host?.stop();
});

interface Stored {
  name: string;
  otp?: { mode: string };
  authWaitSeconds?: number;
  mssClamp?: boolean;
}
async function stored(name: string): Promise<Stored | undefined> {
  const file = JSON.parse(await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8')) as {
    profiles: Stored[];
  };
  return file.profiles.find((p) => p.name === name);
}

async function openSettings(page: Page, name: string): Promise<void> {
  await page.goto(host.url);
  await page.locator(`li[data-profile="${name}"] button.name`).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
}

test('one-time code, authentication wait and MSS clamp: saved, persisted across a reload, and removed when off', async ({
  page,
}) => {
  await page.goto(host.url);
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Push MFA');
  await page.getByLabel('Server host').fill('vpn.example.test');
  await page.getByLabel('User name', { exact: true }).fill('alice');
  await page.getByLabel('One-time code').selectOption('replace');
  const wait = page.getByLabel('Authentication wait', { exact: true });
  // Main's schema judges as you type: out of range is said next to the field.
  await wait.fill('601');
  await expect(page.locator('#f-authwait-err')).toHaveText('must be between 5 and 600 seconds');
  await wait.fill('120');
  await expect(page.locator('#f-authwait-err')).toBeEmpty();
  await page.getByRole('checkbox', { name: 'Clamp TCP MSS to the tunnel MTU' }).check();
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('tab', { name: 'Status' })).toHaveAttribute('aria-selected', 'true');

  expect(await stored('Push MFA')).toMatchObject({ otp: { mode: 'replace' }, authWaitSeconds: 120, mssClamp: true });

  // A fresh load reads them back from main.
  await openSettings(page, 'Push MFA');
  await expect(page.getByLabel('One-time code')).toHaveValue('replace');
  await expect(page.getByLabel('Authentication wait', { exact: true })).toHaveValue('120');
  await expect(page.getByRole('checkbox', { name: 'Clamp TCP MSS to the tunnel MTU' })).toBeChecked();

  // Change the mode, then turn everything off: the fields leave the file (absent = off / 60 s).
  await page.getByLabel('One-time code').selectOption('append');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('form.editor [role="status"]')).toHaveText('Saved.');
  expect((await stored('Push MFA'))?.otp).toEqual({ mode: 'append' });
  await page.getByLabel('One-time code').selectOption('off');
  await page.getByLabel('Authentication wait', { exact: true }).fill('');
  await page.getByRole('checkbox', { name: 'Clamp TCP MSS to the tunnel MTU' }).uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(async () => stored('Push MFA')).not.toHaveProperty('otp');
  const off = await stored('Push MFA');
  expect(off).not.toHaveProperty('authWaitSeconds');
  expect(off).not.toHaveProperty('mssClamp');
  await openSettings(page, 'Push MFA');
  await expect(page.getByLabel('One-time code')).toHaveValue('off');
  await expect(page.getByLabel('Authentication wait', { exact: true })).toHaveValue('');
  await expect(page.getByRole('checkbox', { name: 'Clamp TCP MSS to the tunnel MTU' })).not.toBeChecked();
});
