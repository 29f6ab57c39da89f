/// <reference lib="dom" />
// The import preview flags every setting that weakens TLS or authentication — here from a Causeway
// export, whose fields would otherwise pass straight through — and saves such a profile only once
// the user has confirmed it. The real browser host, services and keychain; no SSTP server needed.
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

let host: E2eHost;
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  test.setTimeout(120_000);
  host = await startE2eHost({ server: false });
});
test.afterAll(async () => {
  await host?.stop();
});

const EXPORT = Buffer.from(
  JSON.stringify({
    format: 'causeway-profiles',
    version: 1,
    profiles: [
      {
        name: 'Weak lab',
        server: { host: 'weak.example.test', port: 443 },
        username: 'alice',
        authMethods: ['pap', 'chap', 'mschapv2'],
        allowNoAuthentication: true,
        tls: { minVersion: 'TLSv1.2', insecure: true, pinnedSha256: 'ab'.repeat(32) },
      },
      { name: 'Plain office', server: { host: 'office.example.test', port: 443 }, username: 'bob' },
    ],
  }),
);

async function importExport(page: Page): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  await page.getByRole('button', { name: 'Import…' }).click();
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'colleague.json', mimeType: 'application/json', buffer: EXPORT });
}

test('a Causeway export with insecure, a pin, PAP/CHAP and no-auth: each is flagged and saving waits for a confirmation', async ({
  page,
}) => {
  await importExport(page);
  const weak = page.getByTestId('import-entry').filter({ hasText: 'Weak lab' });
  const plain = page.getByTestId('import-entry').filter({ hasText: 'Plain office' });
  const risks = weak.getByTestId('import-risks');
  await expect(risks).toBeVisible();
  for (const field of [
    'tls.insecure',
    'allowNoAuthentication',
    'tls.pinnedSha256',
    'authMethods.pap',
    'authMethods.chap',
  ]) {
    await expect(risks.locator(`li[data-field="${field}"]`)).toBeVisible();
  }
  await expect(risks).toContainText('Accepts any server certificate');
  await expect(risks).toContainText('the password itself is sent');
  await expect(plain.getByTestId('import-risks')).toHaveCount(0);

  const save = page.getByRole('button', { name: /^Save 2 profiles/ });
  await expect(save).toBeDisabled();
  await expect(page.getByTestId('import-confirm-hint')).toBeVisible();
  // Leaving the weak one out is one way forward; confirming it is the other.
  await risks.getByRole('checkbox', { name: 'Save it with these settings' }).check();
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page.getByText('2 profiles added')).toBeVisible();
});

test('the profiles were saved as confirmed, the weak one with its settings', async () => {
  const file = JSON.parse(await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8')) as {
    profiles: { name: string; tls: { insecure: boolean }; allowNoAuthentication?: boolean; authMethods: string[] }[];
  };
  const weak = file.profiles.find((p) => p.name === 'Weak lab');
  expect(weak?.tls.insecure).toBe(true);
  expect(weak?.allowNoAuthentication).toBe(true);
  expect(weak?.authMethods).toEqual(['pap', 'chap', 'mschapv2']);
  expect(file.profiles.some((p) => p.name === 'Plain office')).toBe(true);
});
