/// <reference lib="dom" />
// The Doctor panel in Chromium against the browser host on the real services and SoftEther: the full
// timeline of a working profile (SoftEther recognised, path MTU measured), the saved report redacted
// and 0600, and a failure's advice for a wrong password.
import { expect, test, type Page } from '@playwright/test';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

let host: E2eHost;
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startE2eHost();
});
test.afterAll(async () => {
  await host?.stop();
});

async function createProfile(page: Page, name: string, password: string): Promise<void> {
  const s = host.softether!;
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Server host').fill(s.host);
  await page.getByLabel('User name', { exact: true }).fill(s.username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByLabel('Trusted certificate (SHA-256)').fill(s.sha256);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.locator(`li[data-profile="${name}"] button.name`).click();
  await page.getByRole('tab', { name: 'Doctor' }).click();
}

test('a working profile: the whole timeline, SoftEther recognised, the MTU measured, a redacted report saved', async ({
  page,
}) => {
  test.skip(host.softether === null, host.skip ?? 'no SoftEther server');
  await createProfile(page, 'Doctor lab', host.softether!.password);
  await page.getByRole('button', { name: 'Run doctor' }).click();
  await expect(page.getByTestId('doctor-verdict')).toHaveText('Everything works', { timeout: 60_000 });
  const timeline = page.getByTestId('doctor-timeline');
  for (const phase of ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp', 'data', 'mtu']) {
    await expect(timeline.locator(`tr[data-phase="${phase}"]`)).toHaveAttribute('data-verdict', 'ok');
  }
  await expect(timeline.locator('tr[data-phase="proxy"]')).toHaveAttribute('data-verdict', 'skipped');
  await expect(page.getByTestId('doctor-server')).toContainText('SoftEther VPN Server');
  await expect(page.getByTestId('doctor-mtu')).toContainText(/Path MTU \d+/);
  await page.screenshot({ path: join('test-results', 'screenshots', 'doctor.png'), fullPage: true });

  await page.getByRole('button', { name: 'Save report…' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Report saved to' })).toBeVisible();
  const files = (await readdir(host.exportsDir)).filter((f) => f.startsWith('causeway-doctor-'));
  expect(files.length).toBe(1);
  const path = join(host.exportsDir, files[0]!);
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  const text = await readFile(path, 'utf8');
  expect(text).not.toContain(host.softether!.password);
  expect(text).not.toContain(host.softether!.username);
  expect(text).toContain((host.softether!.sha256.match(/../g) ?? []).join(':').toUpperCase());
});

test('a wrong password: the auth phase fails and the panel says what it means and what to do', async ({ page }) => {
  test.skip(host.softether === null, host.skip ?? 'no SoftEther server');
  await createProfile(page, 'Doctor wrong password', 'not-the-password');
  await page.getByRole('checkbox', { name: 'Measure the path MTU' }).uncheck();
  await page.getByRole('button', { name: 'Run doctor' }).click();
  await expect(page.getByTestId('doctor-verdict')).toHaveText('Failed at auth', { timeout: 60_000 });
  await expect(page.getByTestId('doctor-timeline').locator('tr[data-phase="auth"]')).toHaveAttribute(
    'data-verdict',
    'failed',
  );
  await expect(page.getByTestId('doctor-timeline').locator('tr[data-phase="ipcp"]')).toHaveAttribute(
    'data-verdict',
    'not-reached',
  );
  const advice = page.getByTestId('doctor-advice');
  await expect(advice).toHaveAttribute('data-advice', 'auth-credentials');
  await expect(advice).toContainText('rejected the user name or password');
  await expect(advice).toContainText('What to do:');
});
